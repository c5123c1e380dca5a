namespace ModelRegistry.Samples.Chat;

/// <summary>The command line: <c>[--model NAME] [--conversation ID] [--list] [--offline] [--metrics] ["prompt"]</c>.</summary>
internal sealed record ChatOptionsLine(string? Model, bool List, bool Offline, bool Metrics, bool Help, string? Prompt, string? Conversation = null)
{
    public const string Usage = """
        usage: modelchat [--model NAME] [--conversation ID] [--list] [--offline] [--metrics] ["prompt"]
          --model NAME   ask this registry model (default: DEFAULT_MODEL, or ModelRegistry:DefaultModel in models.json)
          --conversation ID
                         continue a stored conversation (its id is printed when one starts); conversations are kept in
                         memory, or in PostgreSQL when Conversations__ConnectionString is set
          --list         show the registry and exit
          --offline      use the offline demo endpoint even when keys are set
          --metrics      print the CloudWatch EMF line written for each call
          "prompt"       ask once and exit; without it, chat until an empty line, 'exit' or Ctrl-D
        """;

    public static ChatOptionsLine Parse(string[] args)
    {
        string? model = null, prompt = null, conversation = null;
        bool list = false, offline = false, metrics = false, help = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--model" or "-m" when i + 1 < args.Length:
                    model = args[++i];
                    break;
                case "--model" or "-m":
                    throw new ArgumentException("--model needs a registry name, e.g. --model devstral-small.");
                case "--conversation" or "-c" when i + 1 < args.Length:
                    conversation = args[++i];
                    break;
                case "--conversation" or "-c":
                    throw new ArgumentException("--conversation needs the id of a stored conversation, as printed when it started.");
                case "--list" or "-l":
                    list = true;
                    break;
                case "--offline":
                    offline = true;
                    break;
                case "--metrics":
                    metrics = true;
                    break;
                case "--help" or "-h":
                    help = true;
                    break;
                case var option when option.StartsWith("--", StringComparison.Ordinal):
                    throw new ArgumentException($"Unknown option {option}.");
                default:
                    prompt = prompt is null ? args[i] : $"{prompt} {args[i]}";
                    break;
            }
        }

        return new ChatOptionsLine(model, list, offline, metrics, help, prompt, conversation);
    }
}
