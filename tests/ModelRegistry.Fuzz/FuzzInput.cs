using System.Globalization;
using System.Text.Json;

namespace ModelRegistry.Fuzz;

/// <summary>How the in-memory server hands the body to the client.</summary>
internal enum Delivery
{
    /// <summary>As much as each read asks for.</summary>
    Whole,

    /// <summary>One byte per read.</summary>
    OneByte,

    /// <summary>Reads of 1 to 4096 bytes, sized by <see cref="FuzzInput.DeliveryParameter"/>.</summary>
    Chunks,

    /// <summary>The connection breaks (IOException) once <see cref="FuzzInput.DeliveryParameter"/> bytes have arrived.</summary>
    Reset,
}

/// <summary>
/// One fuzz input: which target's call it drives and the complete response the in-memory server gives it (status,
/// headers, body, how the body arrives, what Content-Length says), with the mutations that made it. Saved as JSON for
/// <c>--replay</c>.
/// </summary>
internal sealed class FuzzInput
{
    public required string Target { get; init; }

    /// <summary>The call of the target's provider the input drives, e.g. <c>chat</c> or <c>stream</c>.</summary>
    public required string Call { get; set; }

    public required string SeedName { get; init; }

    public int Status { get; set; } = 200;

    public List<KeyValuePair<string, string>> Headers { get; init; } = [];

    public byte[] Body { get; set; } = [];

    /// <summary>The Content-Length header; <see langword="null"/> for none (a chunked body).</summary>
    public long? ContentLength { get; set; }

    /// <summary>
    /// Whether the body obeys Content-Length as a socket would: cut at the declared length, or broken off
    /// (IOException) when it declares more than there is. When false, the header is a plain lie.
    /// </summary>
    public bool EnforceLength { get; set; }

    public Delivery Delivery { get; set; }

    /// <summary>Whether the client runs with the kit's default body and event limits rather than the fuzzer's small ones.</summary>
    public bool DefaultLimits { get; set; }

    public int DeliveryParameter { get; set; }

    public List<string> Mutations { get; init; } = [];

    public ulong RunSeed { get; init; }

    public long Iteration { get; init; }

    public string Describe() =>
        $"{Target} {Call} <- {SeedName}: HTTP {Status.ToString(CultureInfo.InvariantCulture)}, {Body.Length.ToString(CultureInfo.InvariantCulture)} bytes"
        + (Mutations.Count == 0 ? ", unmutated" : "; " + Printable(string.Join("; ", Mutations)));

    /// <summary>Text with control characters escaped, for one line of a report.</summary>
    public static string Printable(string text) =>
        text.Any(char.IsControl) ? string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString())) : text;

    public void Save(string path)
    {
        using var file = File.Create(path);
        using var writer = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("target", Target);
        writer.WriteString("call", Call);
        writer.WriteString("seed_name", SeedName);
        writer.WriteString("run_seed", RunSeed.ToString(CultureInfo.InvariantCulture));
        writer.WriteNumber("iteration", Iteration);
        writer.WriteNumber("status", Status);
        writer.WriteStartArray("headers");
        foreach (var (name, value) in Headers)
        {
            writer.WriteStartArray();
            writer.WriteStringValue(name);
            writer.WriteStringValue(value);
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        if (ContentLength is { } length)
        {
            writer.WriteNumber("content_length", length);
        }

        writer.WriteBoolean("enforce_length", EnforceLength);
        writer.WriteBoolean("default_limits", DefaultLimits);
        writer.WriteString("delivery", Delivery.ToString());
        writer.WriteNumber("delivery_parameter", DeliveryParameter);
        writer.WriteStartArray("mutations");
        foreach (var mutation in Mutations)
        {
            writer.WriteStringValue(mutation);
        }

        writer.WriteEndArray();
        writer.WriteBase64String("body", Body);
        writer.WriteEndObject();
    }

    public static FuzzInput Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        var input = new FuzzInput
        {
            Target = root.GetProperty("target").GetString()!,
            Call = root.GetProperty("call").GetString()!,
            SeedName = root.GetProperty("seed_name").GetString()!,
            RunSeed = ulong.Parse(root.GetProperty("run_seed").GetString()!, CultureInfo.InvariantCulture),
            Iteration = root.GetProperty("iteration").GetInt64(),
            Status = root.GetProperty("status").GetInt32(),
            ContentLength = root.TryGetProperty("content_length", out var length) ? length.GetInt64() : null,
            EnforceLength = root.GetProperty("enforce_length").GetBoolean(),
            DefaultLimits = root.TryGetProperty("default_limits", out var limits) && limits.GetBoolean(),
            Delivery = Enum.Parse<Delivery>(root.GetProperty("delivery").GetString()!),
            DeliveryParameter = root.GetProperty("delivery_parameter").GetInt32(),
            Body = root.GetProperty("body").GetBytesFromBase64(),
        };
        foreach (var header in root.GetProperty("headers").EnumerateArray())
        {
            input.Headers.Add(new(header[0].GetString()!, header[1].GetString()!));
        }

        foreach (var mutation in root.GetProperty("mutations").EnumerateArray())
        {
            input.Mutations.Add(mutation.GetString()!);
        }

        return input;
    }
}
