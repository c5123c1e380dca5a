using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.Mistral.Internal;

/// <summary>
/// Gathers streamed tool calls until they are complete. Mistral's own models send each call whole in one delta;
/// third-party models it serves stream OpenAI-style fragments (id and name first, then argument pieces at the same
/// <c>index</c> with empty names). Both end up as one <see cref="FunctionCallContent"/> per call.
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

            var id = ProviderJson.ReadString(call, "id");
            if (id is "" or "null")
            {
                id = null;
            }

            int? index = call.TryGetProperty("index", out var i) && i.TryGetInt32(out var n) ? n : null;
            var pending = Find(id, index);
            if (pending is null)
            {
                pending = new Pending { Id = id, Index = index };
                _pending.Add(pending);
            }

            pending.Id ??= id;
            if (call.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object)
            {
                if (string.IsNullOrEmpty(pending.Name) && ProviderJson.ReadString(function, "name") is { Length: > 0 } name)
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
    public IEnumerable<FunctionCallContent> Flush(string? responseId)
    {
        var calls = _pending.Select((p, position) => ChatResponseReader.CreateCall(p.Id, p.Name, p.Arguments.ToString(), responseId, position)).ToList();
        _pending.Clear();
        return calls;
    }

    private Pending? Find(string? id, int? index)
    {
        if (id is not null)
        {
            return _pending.FindLast(p => p.Id == id) ?? (index is null ? null : _pending.FindLast(p => p.Index == index && p.Id is null));
        }

        return index is not null ? _pending.FindLast(p => p.Index == index) : _pending.LastOrDefault();
    }

    private sealed class Pending
    {
        public string? Id { get; set; }

        public int? Index { get; init; }

        public string Name { get; set; } = string.Empty;

        public StringBuilder Arguments { get; } = new();
    }
}
