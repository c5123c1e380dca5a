using System.Buffers;
using System.Text.Json;

namespace ModelRegistry.Mistral.Internal;

/// <summary>
/// A JSON writer and its buffer kept per thread for writing request bodies, so a call allocates only the body itself
/// (copied out at its exact size) instead of a writer and a growing buffer. A nested use while one is out gets a new
/// pair; a buffer grown past <see cref="KeepAtMost"/> (a request with large images) is not kept.
/// </summary>
internal static class RequestJson
{
    private const int KeepAtMost = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>Always true: no field is set by the caller's own request body.</summary>
    public static readonly Func<string, bool> Always = static _ => true;

    /// <summary>This thread's writer, reset onto its empty buffer; hand both back with <see cref="Return"/>.</summary>
    public static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer) Rent()
    {
        var buffer = t_buffer;
        var writer = t_writer;
        t_buffer = null;
        t_writer = null;
        if (buffer is null || writer is null)
        {
            buffer = new ArrayBufferWriter<byte>(1024);
            return (buffer, new Utf8JsonWriter(buffer));
        }

        writer.Reset(buffer);
        return (buffer, writer);
    }

    /// <summary>Clears the pair and keeps it for the next body written on this thread.</summary>
    public static void Return(ArrayBufferWriter<byte> buffer, Utf8JsonWriter writer)
    {
        if (buffer.Capacity > KeepAtMost)
        {
            writer.Dispose();
            return;
        }

        buffer.Clear();
        t_buffer = buffer;
        t_writer = writer;
    }
}
