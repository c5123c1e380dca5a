using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.OpenAI.Internal;

/// <summary>
/// Assembles streamed tool calls: the first delta of a call carries its <c>index</c>, <c>id</c> and name, later deltas at
/// the same <c>index</c> carry pieces of the arguments. A delta without an index (some compatible servers) continues the
/// call of the same id, else starts a new one.
/// </summary>
internal sealed class StreamingToolCalls
{
    private readonly List<Pending> _pending = [];

    public bool HasPending => _pending.Count > 0;

    /// <summary>Adds the <c>tool_calls</c> array of one delta.</summary>
    public void Add(JsonElement calls)
    {
        foreach (var call in calls.EnumerateArray())
        {
            if (call.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var id = ProviderJson.ReadString(call, "id") is { Length: > 0 } given ? given : null;
            int? index = call.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.Number && i.TryGetInt32(out var n) ? n : null;
            var pending = index is not null ? _pending.Find(p => p.Index == index) : id is not null ? _pending.Find(p => p.Id == id) : null;
            if (pending is null)
            {
                pending = new Pending { Index = index };
                _pending.Add(pending);
            }

            pending.Id ??= id;
            if (call.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object)
            {
                if (pending.Name.Length == 0 && ProviderJson.ReadString(function, "name") is { Length: > 0 } name)
                {
                    pending.Name = name;
                }

                if (function.TryGetProperty("arguments", out var arguments))
                {
                    if (arguments.ValueKind == JsonValueKind.String)
                    {
                        pending.Arguments.Append(arguments.GetString());
                    }
                    else if (arguments.ValueKind == JsonValueKind.Object)
                    {
                        pending.Arguments.Clear().Append(arguments.GetRawText());
                    }
                }
            }
        }
    }

    /// <summary>Returns the gathered calls, in the order they started, and forgets them.</summary>
    public List<FunctionCallContent> Flush(string? responseId)
    {
        var calls = _pending.Select((p, position) => ChatResponseReader.CreateCall(p.Id, p.Name, p.Arguments.ToString(), responseId, position)).ToList();
        _pending.Clear();
        return calls;
    }

    private sealed class Pending
    {
        public string? Id { get; set; }

        public int? Index { get; init; }

        public string Name { get; set; } = string.Empty;

        public StringBuilder Arguments { get; } = new();
    }
}
