using System.Text;

namespace ModelRegistry.Testing;

/// <summary>
/// What the conformance suite sends and expects. A provider's <see cref="ProviderWireFixtures"/> write these values in
/// the provider's wire format (e.g. <see cref="Answer"/> as the text of a Mistral choice or a Bedrock content block),
/// and check that the request carries what the suite sent; the suite checks what the client made of the answer.
/// </summary>
public static class ConformanceData
{
    /// <summary>The registry name of the chat entry the suite calls.</summary>
    public const string EntryName = "conformance";

    /// <summary>The registry name of the embeddings entry (when the provider declares embeddings).</summary>
    public const string EmbeddingEntryName = "conformance-embed";

    /// <summary>The system instructions (<c>ChatOptions.Instructions</c>) of the text and stream cases.</summary>
    public const string Instructions = "Answer in one short sentence.";

    /// <summary>The user's question in most cases.</summary>
    public const string Question = "What is the capital of France?";

    /// <summary><c>ChatOptions.Temperature</c> of the text and stream cases (exact in binary, so it prints as written).</summary>
    public const float Temperature = 0.25f;

    /// <summary><c>ChatOptions.MaxOutputTokens</c> of the text and stream cases.</summary>
    public const int MaxOutputTokens = 256;

    /// <summary>The text of the plain answer (<see cref="ProviderWireFixtures.Text"/>), finish reason stop.</summary>
    public const string Answer = "The capital of France is Paris.";

    /// <summary>The parts in which <see cref="ProviderWireFixtures.TextStream"/> streams <see cref="Answer"/>, in order.</summary>
    public static IReadOnlyList<string> AnswerParts { get; } = ["The capital", " of France", " is Paris."];

    /// <summary>Input tokens of the plain and streamed answers.</summary>
    public const long InputTokens = 12;

    /// <summary>Output tokens of the plain and streamed answers.</summary>
    public const long OutputTokens = 8;

    /// <summary>The function tool the tool cases declare.</summary>
    public const string ToolName = "get_weather";

    /// <summary>Its description.</summary>
    public const string ToolDescription = "Gets the current weather in a city.";

    /// <summary>Its parameters' JSON schema.</summary>
    public const string ToolSchema = """{"type":"object","properties":{"city":{"type":"string","description":"The city's name."}},"required":["city"]}""";

    /// <summary>The id of the call the model makes (9 letters and digits, which every provider accepts).</summary>
    public const string ToolCallId = "callconf1";

    /// <summary>The one argument of the call: <c>{"city": "Paris"}</c>.</summary>
    public const string ToolCity = "Paris";

    /// <summary>The function's result the suite sends back (a string).</summary>
    public const string ToolResult = "18 degrees and sunny";

    /// <summary>The name of the structured-output schema.</summary>
    public const string SchemaName = "city_info";

    /// <summary>Its description.</summary>
    public const string SchemaDescription = "A city and its country.";

    /// <summary>The structured-output JSON schema; sent with <c>AdditionalProperties["strict"] = true</c>.</summary>
    public const string Schema = """{"type":"object","properties":{"city":{"type":"string"},"country":{"type":"string"}},"required":["city","country"],"additionalProperties":false}""";

    /// <summary>The structured answer's text.</summary>
    public const string StructuredAnswer = """{"city":"Paris","country":"France"}""";

    /// <summary>The reasoning of the reasoning answers (streamed in <see cref="ReasoningParts"/>).</summary>
    public const string Reasoning = "The user asks for the capital of France, which is Paris.";

    /// <summary>The parts in which <see cref="ProviderWireFixtures.ReasoningStream"/> streams <see cref="Reasoning"/>.</summary>
    public static IReadOnlyList<string> ReasoningParts { get; } = ["The user asks for the capital", " of France, which is Paris."];

    /// <summary>The reasoning's signature, where the wire has one (<c>TextReasoningContent.ProtectedData</c>).</summary>
    public const string ReasoningSignature = "c2lnbmF0dXJlLWNvbmZvcm1hbmNl";

    /// <summary>The answer that follows the reasoning.</summary>
    public const string ReasoningAnswer = "Paris.";

    /// <summary>The user's next turn in the reasoning round trip.</summary>
    public const string FollowUp = "And of Italy?";

    /// <summary><c>ChatOptions.Reasoning.Effort</c> of the reasoning cases.</summary>
    public const Microsoft.Extensions.AI.ReasoningEffort ReasoningEffort = Microsoft.Extensions.AI.ReasoningEffort.Medium;

    /// <summary>A 1×1 PNG image the image case sends.</summary>
    public static ReadOnlyMemory<byte> Png { get; } = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC");

    /// <summary>A tiny PDF the document case sends.</summary>
    public static ReadOnlyMemory<byte> Pdf { get; } = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");

    /// <summary>The document's name (letters, digits and hyphens, which every provider accepts).</summary>
    public const string DocumentName = "conformance-report";

    /// <summary>The text sent with the image or the document.</summary>
    public const string DescribePrompt = "Describe the attachment.";

    /// <summary>Input tokens of the cached-usage answer, cached ones included (<c>UsageDetails.InputTokenCount</c>).</summary>
    public const long CachedUsageInputTokens = 20;

    /// <summary>Of those, read from the prompt cache (<c>UsageDetails.CachedInputTokenCount</c>).</summary>
    public const long CacheReadTokens = 5;

    /// <summary>Of those, written to the prompt cache (<c>UsageDetails.AdditionalCounts["CacheWriteInputTokens"]</c>).</summary>
    public const long CacheWriteTokens = 4;

    /// <summary>The <c>UsageDetails.AdditionalCounts</c> key of cache writes, which the EMF package reads.</summary>
    public const string CacheWriteKey = RegistryProperties.CacheWriteInputTokens;

    /// <summary>Output tokens of the cached-usage answer.</summary>
    public const long CachedUsageOutputTokens = 7;

    /// <summary>The texts the embeddings case embeds.</summary>
    public static IReadOnlyList<string> EmbeddingInputs { get; } = ["alpha", "beta"];

    /// <summary>Their vectors, in order (exact in binary).</summary>
    public static IReadOnlyList<float[]> EmbeddingVectors { get; } = [[0.5f, -0.25f, 0.125f], [0.0625f, 1f, -1f]];

    /// <summary>What the token-count answer says.</summary>
    public const long TokenCount = 42;

    /// <summary>The <c>Retry-After</c> (seconds) of the throttled case that says how long to wait.</summary>
    public const int RetryAfterSeconds = 7;

    /// <summary>A <c>Retry-After</c> (seconds) longer than the suite's <c>resilience:max_retry_after_ms</c> of 60 s.</summary>
    public const int LongRetryAfterSeconds = 120;

    /// <summary>The secret of the canary case: resolved from the entry's API key reference, echoed by the server, never to be seen again.</summary>
    public const string SecretCanary = "sk-test-canary-5f0c1e9a7b3d";

    /// <summary>The error message the server sends with a status; the exception must carry it.</summary>
    /// <param name="status">The HTTP status.</param>
    public static string ErrorMessage(int status) => $"conformance error {status}";
}
