using System.Buffers;
using System.Text.Json;

namespace ModelRegistry.Benchmarks.Fixtures;

/// <summary>Writes fixture JSON with <see cref="Utf8JsonWriter"/>, so escaping is exactly what a real server produces.</summary>
internal static class Json
{
    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
