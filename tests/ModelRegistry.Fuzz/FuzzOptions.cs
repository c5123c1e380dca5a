using System.Globalization;

namespace ModelRegistry.Fuzz;

/// <summary>The command line.</summary>
internal sealed class FuzzOptions
{
    public const string Usage = """
        usage: ModelRegistry.Fuzz [--seconds N] [--seed N] [--workers N] [--targets a,b] [--no-corpus] [--out DIR]
               ModelRegistry.Fuzz --replay FILE
          --seconds N   time budget (default 60)
          --seed N      the run's seed (default: random, printed); the same seed, targets and corpus give the same inputs
          --workers N   worker threads (default: processor count)
          --targets     only targets whose name contains one of these, e.g. mistral.stream
          --no-corpus   our own seeds only
          --out DIR     where failing inputs go (default build/out/fuzz)
          --replay FILE run one saved input again and show what it does
        """;

    public double Seconds { get; private set; } = 60;

    public ulong Seed { get; private set; } = (ulong)Random.Shared.NextInt64(1, 1_000_000_000);

    public int Workers { get; private set; } = Environment.ProcessorCount;

    public string[]? Targets { get; private set; }

    public bool NoCorpus { get; private set; }

    public string? Output { get; private set; }

    public string? Replay { get; private set; }

    public string? Error { get; private set; }

    public static FuzzOptions Parse(string[] args)
    {
        var options = new FuzzOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value.");
            try
            {
                switch (args[i])
                {
                    case "--seconds":
                        options.Seconds = double.Parse(Value(), CultureInfo.InvariantCulture);
                        break;
                    case "--seed":
                        options.Seed = ulong.Parse(Value(), CultureInfo.InvariantCulture);
                        break;
                    case "--workers":
                        options.Workers = Math.Max(1, int.Parse(Value(), CultureInfo.InvariantCulture));
                        break;
                    case "--targets":
                        options.Targets = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                        break;
                    case "--no-corpus":
                        options.NoCorpus = true;
                        break;
                    case "--out":
                        options.Output = Path.GetFullPath(Value());
                        break;
                    case "--replay":
                        options.Replay = Value();
                        break;
                    default:
                        throw new FormatException($"Unknown argument '{args[i]}'.");
                }
            }
            catch (FormatException ex)
            {
                options.Error = ex.Message;
            }
            catch (OverflowException ex)
            {
                options.Error = ex.Message;
            }
        }

        return options;
    }
}
