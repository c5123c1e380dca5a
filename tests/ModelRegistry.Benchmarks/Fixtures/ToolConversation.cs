using System.Text.Json;
using Microsoft.Extensions.AI;

namespace ModelRegistry.Benchmarks.Fixtures;

/// <summary>
/// The provider-neutral tool conversation of the mapping benchmarks: 20 MEAI messages (system prompt, user turns,
/// assistant turns calling tools, tool results, assistant text) with four tools declared by JSON schema, and the
/// two calls the model makes in its answer. Call ids are nine alphanumerics, which both Mistral and Bedrock accept.
/// </summary>
internal static class ToolConversation
{
    public sealed record Call(string CallId, string Name, string ArgumentsJson);

    /// <summary>The calls in the model's answer (each provider's response fixture carries them in its own format).</summary>
    public static readonly Call[] AnswerCalls =
    [
        new("k7Qm2Xp9A", "get_weather", """{"city":"Annecy","days":2,"unit":"celsius"}"""),
        new("Zr4Tn8Bw1", "search_hotels", """{"city":"Annecy","check_in":"2026-05-15","nights":1,"max_price_eur":180}"""),
    ];

    public static readonly ChatOptions Options = new()
    {
        Temperature = 0.3f,
        MaxOutputTokens = 1024,
        ToolMode = ChatToolMode.Auto,
        Tools =
        [
            Tool("get_weather", "Weather forecast for a city.",
                """{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer","minimum":1,"maximum":7},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city"]}"""),
            Tool("search_hotels", "Hotels with rooms free on a date.",
                """{"type":"object","properties":{"city":{"type":"string"},"check_in":{"type":"string","format":"date"},"nights":{"type":"integer"},"max_price_eur":{"type":"number"}},"required":["city","check_in"]}"""),
            Tool("book_restaurant", "Books a table.",
                """{"type":"object","properties":{"name":{"type":"string"},"time":{"type":"string"},"people":{"type":"integer"}},"required":["name","time","people"]}"""),
            Tool("get_exchange_rate", "Exchange rate between two currencies.",
                """{"type":"object","properties":{"from":{"type":"string"},"to":{"type":"string"}},"required":["from","to"]}"""),
        ],
    };

    /// <summary>The 20 messages.</summary>
    public static readonly IReadOnlyList<ChatMessage> Messages = Build();

    private static List<ChatMessage> Build()
    {
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, "You are a travel assistant. Use the tools; answer briefly; prices in euros."),
            new(ChatRole.User, "Plan two days in Lyon for two people next weekend, with one good dinner."),
            Calls(("c1aa00001", "get_weather", """{"city":"Lyon","days":2}""")),
            Result("c1aa00001", """{"forecast":[{"day":"Sat","high":21,"low":12,"sky":"sunny"},{"day":"Sun","high":18,"low":11,"sky":"showers"}]}"""),
            Calls(("c1aa00002", "search_hotels", """{"city":"Lyon","check_in":"2026-05-09","nights":2}"""),
                  ("c1aa00003", "get_exchange_rate", """{"from":"USD","to":"EUR"}""")),
            Result("c1aa00002", """{"hotels":[{"name":"Hôtel des Célestins","price_eur":142,"rating":4.6},{"name":"Le Royal","price_eur":219,"rating":4.8}]}"""),
            Result("c1aa00003", """{"rate":0.92,"as_of":"2026-05-02"}"""),
            new(ChatRole.Assistant, "Saturday is sunny, Sunday has showers. Hôtel des Célestins is €142 a night; shall I book dinner?"),
            new(ChatRole.User, "Yes, a bouchon on Saturday at 8pm."),
            Calls(("c1aa00004", "book_restaurant", """{"name":"Daniel et Denise","time":"2026-05-09T20:00","people":2}""")),
            Result("c1aa00004", """{"confirmed":true,"reference":"DD-4471"}"""),
            new(ChatRole.Assistant, "Booked: Daniel et Denise, Saturday 20:00, reference DD-4471."),
            new(ChatRole.User, "What about a day trip to Annecy on Sunday instead?"),
            Calls(("c1aa00005", "get_weather", """{"city":"Annecy","days":1}""")),
            Result("c1aa00005", """{"forecast":[{"day":"Sun","high":16,"low":9,"sky":"rain"}]}"""),
            Calls(("c1aa00006", "search_hotels", """{"city":"Annecy","check_in":"2026-05-10","nights":1}""")),
            Result("c1aa00006", """{"hotels":[]}"""),
            new(ChatRole.Assistant, "Annecy expects rain on Sunday and has no rooms free; Lyon is the better plan."),
            new(ChatRole.User, "Check Annecy again for the weekend after, two days, and a hotel under 180 euros."),
        };

        // Nineteen so far; the twentieth is the user's follow-up the request is built for.
        messages.Add(new ChatMessage(ChatRole.User, "And keep the Lyon dinner booking as it is."));
        return messages.Count == 20 ? messages : throw new InvalidOperationException($"The tool conversation has {messages.Count} messages, not 20.");
    }

    private static ChatMessage Calls(params (string Id, string Name, string Arguments)[] calls) =>
        new(ChatRole.Assistant, [.. calls.Select(c => (AIContent)new FunctionCallContent(c.Id, c.Name,
            JsonSerializer.Deserialize(c.Arguments, BenchJson.Default.DictionaryStringObject)))]);

    private static ChatMessage Result(string callId, string json) =>
        new(ChatRole.Tool, [new FunctionResultContent(callId, JsonDocument.Parse(json).RootElement.Clone())]);

    private static AIFunctionDeclaration Tool(string name, string description, string schema) =>
        AIFunctionFactory.CreateDeclaration(name, description, JsonDocument.Parse(schema).RootElement.Clone());
}
