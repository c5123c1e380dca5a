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

            int? index = call.TryGetProperty("index", out var i) && i.TryGetInt32(out var n) ? n : null;
            string? name = null, arguments = null;
            var whole = false;
            if (call.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object)
            {
                name = ProviderJson.ReadString(function, "name");
                if (function.TryGetProperty("arguments", out var args))
                {
                    whole = args.ValueKind == JsonValueKind.Object;
                    arguments = args.ValueKind switch
                    {
                        JsonValueKind.String => args.GetString(),
                        JsonValueKind.Object => args.GetRawText(),
                        _ => null,
                    };
                }
            }

            Add(ProviderJson.ReadString(call, "id"), index, name, arguments, whole);
        }
    }

    /// <summary>
    /// Adds one fragment of a call: its id and index when known, its name (once), and a piece of its arguments text
    /// (<paramref name="whole"/> when the piece is the complete arguments object, which replaces what came before).
    /// </summary>
    public void Add(string? id, int? index, string? name, string? arguments, bool whole = false)
    {
        if (id is "" or "null")
        {
            id = null;
        }

        var pending = Find(id, index);
        if (pending is null)
        {
            pending = new Pending { Id = id, Index = index };
            _pending.Add(pending);
        }

        pending.Id ??= id;
        if (string.IsNullOrEmpty(pending.Name) && name is { Length: > 0 })
        {
            pending.Name = name;
        }

        if (whole)
        {
            pending.Arguments.Clear();
        }

        pending.Arguments.Append(arguments);
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
