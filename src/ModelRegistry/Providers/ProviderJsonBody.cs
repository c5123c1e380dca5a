using System.Buffers;
using System.Text.Json;

namespace ModelRegistry.Providers;

/// <summary>
/// A request body written with the calling thread's reusable <see cref="Utf8JsonWriter"/> and buffer, so that writing a
/// body allocates only the body itself (<see cref="ToArray"/>), not a writer and a growing buffer per call. Rent it,
/// write synchronously (never across an <c>await</c>: the pair belongs to the thread), take the bytes and dispose it,
/// which hands the pair back to the thread. A nested rent while one is out gets a fresh pair; a buffer that grew past
/// 64 KiB (a request with large images) is not kept.
/// </summary>
/// <example>
/// <code>
/// using var body = ProviderJsonBody.Rent();
/// body.Writer.WriteStartObject();
/// body.Writer.WriteString("model", modelId);
/// body.Writer.WriteEndObject();
/// return body.ToArray();
/// </code>
/// </example>
public sealed class ProviderJsonBody : IDisposable
{
    private const int KeepAtMost = 64 * 1024;

    [ThreadStatic]
    private static ProviderJsonBody? t_validated;

    [ThreadStatic]
    private static ProviderJsonBody? t_unvalidated;

    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly bool _skipValidation;

    private ProviderJsonBody(bool skipValidation)
    {
        _skipValidation = skipValidation;
        Writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = skipValidation });
    }

    /// <summary>The writer, positioned at the start of an empty body.</summary>
    public Utf8JsonWriter Writer { get; }

    /// <summary>Takes this thread's writer and buffer, or a new pair when the thread has none free.</summary>
    /// <param name="skipValidation">
    /// Whether the writer skips its structural checks, as System.Text.Json's serializer does: for writers whose every
    /// shape is fixed in code (and tested), where the checks only cost time.
    /// </param>
    /// <returns>The body to write; dispose it when the bytes are taken.</returns>
    public static ProviderJsonBody Rent(bool skipValidation = false)
    {
        ProviderJsonBody? body;
        if (skipValidation)
        {
            body = t_unvalidated;
            t_unvalidated = null;
        }
        else
        {
            body = t_validated;
            t_validated = null;
        }

        return body ?? new ProviderJsonBody(skipValidation);
    }

    /// <summary>Flushes the writer and copies what it wrote into an array of exactly that length.</summary>
    /// <returns>The body.</returns>
    public byte[] ToArray()
    {
        Writer.Flush();
        return _buffer.WrittenSpan.ToArray();
    }

    /// <summary>Clears the body and hands the writer and buffer back to the thread.</summary>
    public void Dispose()
    {
        if (_buffer.Capacity > KeepAtMost)
        {
            Writer.Dispose();
            return;
        }

        _buffer.Clear(); // zeroes what was written: the next caller on this thread never sees this body
        Writer.Reset(_buffer);
        if (_skipValidation)
        {
            t_unvalidated = this;
        }
        else
        {
            t_validated = this;
        }
    }
}
