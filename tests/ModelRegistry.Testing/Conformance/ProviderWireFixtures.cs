using Microsoft.Extensions.AI;

namespace ModelRegistry.Testing;

/// <summary>
/// One provider's wire for the conformance suite: per scenario, the HTTP answer(s) in that provider's format and the
/// checks on the request its client sent. The answers encode the values of <see cref="ConformanceData"/> (the suite
/// checks what the client made of them); the checks assert, with <see cref="WireJson"/> paths or
/// <see cref="JsonEquivalence"/>, that the request carries what the suite sent, in the provider's own mapping.
/// </summary>
/// <remarks>
/// Members for every provider are abstract. Members of a <see cref="Providers.ProviderFeatures"/> feature are virtual
/// and fail when the provider declares the feature but its fixtures do not script it; leave them alone for features it
/// does not declare (their cases are reported as not run). Checks throw NUnit assertion failures; use
/// <c>Assert.Multiple</c> freely.
/// </remarks>
public abstract class ProviderWireFixtures
{
    /// <summary>A model id other than the entry's, for the per-call <c>ChatOptions.ModelId</c> case.</summary>
    public virtual string AlternateModelId => "conformance-alternate-model";

    /// <summary>A model id other than the embeddings entry's, for the per-call <c>EmbeddingGenerationOptions.ModelId</c> case; default <see cref="AlternateModelId"/>.</summary>
    public virtual string AlternateEmbeddingModelId => AlternateModelId;

    /// <summary>Asserts that a chat (or stream) request asks for this model, wherever the wire puts it (path or body).</summary>
    /// <param name="request">The request.</param>
    /// <param name="modelId">The model id it must name.</param>
    public abstract void AssertModel(ReceivedRequest request, string modelId);

    /// <summary>
    /// The plain answer: text <see cref="ConformanceData.Answer"/>, finish reason stop, usage
    /// <see cref="ConformanceData.InputTokens"/> in and <see cref="ConformanceData.OutputTokens"/> out. Also the answer
    /// of every case that only checks its request (images, documents, tool modes auto and none...).
    /// </summary>
    public abstract ScriptedResponse Text { get; }

    /// <summary>
    /// Checks the text case's request: not streaming, system instructions <see cref="ConformanceData.Instructions"/>,
    /// one user message <see cref="ConformanceData.Question"/>, temperature <see cref="ConformanceData.Temperature"/>
    /// and at most <see cref="ConformanceData.MaxOutputTokens"/> output tokens.
    /// </summary>
    /// <param name="request">The request.</param>
    public abstract void CheckTextRequest(ReceivedRequest request);

    /// <summary>
    /// The streamed answer: <see cref="ConformanceData.AnswerParts"/> in order, finish reason stop, usage as
    /// <see cref="Text"/>. Its <see cref="WireStream.CutAfter"/> events deliver the first part but not the end.
    /// </summary>
    public abstract WireStream TextStream { get; }

    /// <summary>Checks the stream case's request: as <see cref="CheckTextRequest"/>, but streaming.</summary>
    /// <param name="request">The request.</param>
    public abstract void CheckStreamRequest(ReceivedRequest request);

    /// <summary>An error answer in the provider's format: the status, and the message as the provider would carry it.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="message">The message; the exception must carry it (scrubbed of secrets).</param>
    public abstract ScriptedResponse Error(int status, string message);

    /// <summary>The answer(s) to the health probe of an available model, in the order the probe sends its requests.</summary>
    public abstract IReadOnlyList<ScriptedResponse> HealthyProbe { get; }

    /// <summary>The answer(s) to the health probe of a model that is not available (e.g. unknown to the provider).</summary>
    public abstract IReadOnlyList<ScriptedResponse> UnhealthyProbe { get; }

    /// <summary>Checks the health probe's requests for the entry's model: token-free (no chat call).</summary>
    /// <param name="requests">The requests, in order.</param>
    /// <param name="modelId">The entry's model id.</param>
    public abstract void CheckProbeRequests(IReadOnlyList<ReceivedRequest> requests, string modelId);

    /// <summary>
    /// <c>Tools</c>: an answer that calls <see cref="ConformanceData.ToolName"/> once, id
    /// <see cref="ConformanceData.ToolCallId"/>, arguments <c>{"city": "Paris"}</c>, finish reason tool calls.
    /// </summary>
    public virtual ScriptedResponse ToolCall => throw Missing(nameof(ToolCall), "Tools");

    /// <summary><c>Tools</c>: <see cref="ToolCall"/>, streamed (the call may arrive in pieces).</summary>
    public virtual WireStream ToolCallStream => throw Missing(nameof(ToolCallStream), "Tools");

    /// <summary>
    /// <c>Tools</c>: checks a request that declared the tool (<see cref="ConformanceData.ToolName"/>,
    /// <see cref="ConformanceData.ToolDescription"/>, <see cref="ConformanceData.ToolSchema"/>) with this tool mode:
    /// auto, required (any tool), required <see cref="ConformanceData.ToolName"/>, or none.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="mode">The tool mode the suite set.</param>
    public virtual void CheckToolMode(ReceivedRequest request, ChatToolMode mode) => throw Missing(nameof(CheckToolMode), "Tools");

    /// <summary>
    /// <c>Tools</c>: checks the round trip's second request: the user's question, the assistant's call (id, name,
    /// arguments) and the function's result <see cref="ConformanceData.ToolResult"/> for that call id.
    /// </summary>
    /// <param name="request">The request.</param>
    public virtual void CheckToolResultRequest(ReceivedRequest request) => throw Missing(nameof(CheckToolResultRequest), "Tools");

    /// <summary><c>StructuredOutput</c>: an answer whose text is <see cref="ConformanceData.StructuredAnswer"/>, finish reason stop.</summary>
    public virtual ScriptedResponse Structured => throw Missing(nameof(Structured), "StructuredOutput");

    /// <summary>
    /// <c>StructuredOutput</c>: checks the request carries the schema <see cref="ConformanceData.Schema"/> named
    /// <see cref="ConformanceData.SchemaName"/> (with its description where the wire has one), strict.
    /// </summary>
    /// <param name="request">The request.</param>
    public virtual void CheckStructuredRequest(ReceivedRequest request) => throw Missing(nameof(CheckStructuredRequest), "StructuredOutput");

    /// <summary>
    /// <c>Reasoning</c>: an answer with reasoning <see cref="ConformanceData.Reasoning"/> (signed
    /// <see cref="ConformanceData.ReasoningSignature"/> where the wire signs reasoning), then the text
    /// <see cref="ConformanceData.ReasoningAnswer"/>, finish reason stop.
    /// </summary>
    public virtual ScriptedResponse Reasoning => throw Missing(nameof(Reasoning), "Reasoning");

    /// <summary><c>Reasoning</c>: <see cref="Reasoning"/>, streamed: <see cref="ConformanceData.ReasoningParts"/>, the signature, then the answer.</summary>
    public virtual WireStream ReasoningStream => throw Missing(nameof(ReasoningStream), "Reasoning");

    /// <summary><c>Reasoning</c>: checks the first request asks for reasoning at effort <see cref="ConformanceData.ReasoningEffort"/>.</summary>
    /// <param name="request">The request.</param>
    public virtual void CheckReasoningRequest(ReceivedRequest request) => throw Missing(nameof(CheckReasoningRequest), "Reasoning");

    /// <summary>
    /// <c>Reasoning</c>: checks the second request sends the reasoning back with the assistant's turn (text and
    /// signature, as the wire requires), followed by <see cref="ConformanceData.FollowUp"/>.
    /// </summary>
    /// <param name="request">The request.</param>
    public virtual void CheckReasoningRoundTrip(ReceivedRequest request) => throw Missing(nameof(CheckReasoningRoundTrip), "Reasoning");

    /// <summary><c>Images</c>: checks the request carries the PNG <see cref="ConformanceData.Png"/> after the text <see cref="ConformanceData.DescribePrompt"/>.</summary>
    /// <param name="request">The request.</param>
    public virtual void CheckImageRequest(ReceivedRequest request) => throw Missing(nameof(CheckImageRequest), "Images");

    /// <summary>
    /// <c>Documents</c>: checks the request carries the PDF <see cref="ConformanceData.Pdf"/> named
    /// <see cref="ConformanceData.DocumentName"/> after the text <see cref="ConformanceData.DescribePrompt"/>.
    /// </summary>
    /// <param name="request">The request.</param>
    public virtual void CheckDocumentRequest(ReceivedRequest request) => throw Missing(nameof(CheckDocumentRequest), "Documents");

    /// <summary>
    /// <c>PromptCacheUsage</c>: an answer like <see cref="Text"/> whose usage is
    /// <see cref="ConformanceData.CachedUsageInputTokens"/> input tokens in all, of which
    /// <see cref="ConformanceData.CacheReadTokens"/> read from and <see cref="ConformanceData.CacheWriteTokens"/> written
    /// to the cache, and <see cref="ConformanceData.CachedUsageOutputTokens"/> output tokens.
    /// </summary>
    public virtual ScriptedResponse CachedUsage => throw Missing(nameof(CachedUsage), "PromptCacheUsage");

    /// <summary>
    /// <c>Embeddings</c>: the answer(s) to embedding <see cref="ConformanceData.EmbeddingInputs"/>, giving
    /// <see cref="ConformanceData.EmbeddingVectors"/> (one answer per request the provider sends for them).
    /// </summary>
    public virtual IReadOnlyList<ScriptedResponse> Embeddings => throw Missing(nameof(Embeddings), "Embeddings");

    /// <summary><c>Embeddings</c>: checks the requests embed <see cref="ConformanceData.EmbeddingInputs"/> with this model.</summary>
    /// <param name="requests">The requests of one <c>GenerateAsync</c> call, in order.</param>
    /// <param name="modelId">The model they must name.</param>
    public virtual void CheckEmbeddingRequests(IReadOnlyList<ReceivedRequest> requests, string modelId) => throw Missing(nameof(CheckEmbeddingRequests), "Embeddings");

    /// <summary><c>TokenCounting</c>: the answer to a token count: <see cref="ConformanceData.TokenCount"/>.</summary>
    public virtual ScriptedResponse TokenCount => throw Missing(nameof(TokenCount), "TokenCounting");

    /// <summary><c>TokenCounting</c>: checks the count request carries the instructions and the question, and generates nothing.</summary>
    /// <param name="request">The request.</param>
    public virtual void CheckTokenCountRequest(ReceivedRequest request) => throw Missing(nameof(CheckTokenCountRequest), "TokenCounting");

    private NotImplementedException Missing(string member, string feature) => new(
        $"{GetType().Name} does not script {member}, but the provider declares ProviderFeatures.{feature}: override {member} in its wire fixtures (or stop declaring the feature).");
}
