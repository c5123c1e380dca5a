using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>
/// An <see cref="IChatClient"/> over the Bedrock Converse (<c>/converse</c>) and ConverseStream (<c>/converse-stream</c>)
/// HTTP API, and an <see cref="IChatTokenCounter"/> over CountTokens (<c>/count-tokens</c>), all sent through the kit.
/// </summary>
internal sealed class BedrockChatClient(BedrockConnection connection, BedrockSettings settings) : IChatClient, IChatTokenCounter
{
    /// <summary>The provider name in <see cref="ChatClientMetadata"/>, as OpenTelemetry's gen_ai.system names Bedrock.</summary>
    public const string ProviderName = "aws.bedrock";

    private readonly ChatClientMetadata _metadata = new(ProviderName, settings.Endpoint, settings.ModelId);
    private string? _segment;

    private ProviderTransport Transport => connection.Transport;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var call = Prepare(messages, options, ConverseRequestWriter.Kind.Converse);
        var target = await connection.ResolveAsync(settings, controlPlane: false, cancellationToken).ConfigureAwait(false);
        return await Transport.SendAsync(
            target.Runtime(call.Segment, "converse", call.Body),
            response => ConverseResponseMapper.Map(
                response.Body, call.Settings.PathModelId, response.Header("x-amzn-RequestId"), Transport.TimeProvider.GetUtcNow(), call.OutputTool),
            cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // The entry's guardrail also gets its streamProcessingMode: only ConverseStream takes that key.
        var call = Prepare(messages, options, ConverseRequestWriter.Kind.ConverseStream);
        var target = await connection.ResolveAsync(settings, controlPlane: false, cancellationToken).ConfigureAwait(false);
        var request = target.Runtime(call.Segment, "converse-stream", call.Body, "application/vnd.amazon.eventstream");
        await foreach (var update in Transport.StreamAsync(request, (stream, token) => ReadStreamAsync(stream, call, token), cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    /// <summary>
    /// Counts the input tokens of the Converse request these messages and options make (system prompt, messages, tools,
    /// additional model fields), with CountTokens on the foundation model: a geographic inference-profile prefix is
    /// dropped, and with an inference profile ARN the entry's base model id is counted.
    /// </summary>
    public async Task<long> CountTokensAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var call = Prepare(messages, options, ConverseRequestWriter.Kind.CountTokens);
        var modelId = call.Settings.ModelId;
        var foundationModel = modelId.StartsWith("arn:", StringComparison.Ordinal) ? modelId : ModelFamily.Of(modelId).BaseId;
        var segment = ProviderRequest.PathSegment(foundationModel, "the model id");
        var target = await connection.ResolveAsync(settings, controlPlane: false, cancellationToken).ConfigureAwait(false);
        return await Transport.SendAsync(target.Runtime(segment, "count-tokens", call.Body), ReadTokenCount, cancellationToken).ConfigureAwait(false);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => ProviderServices.GetService(this, _metadata, serviceType, serviceKey);

    public void Dispose()
    {
        // The HttpClient belongs to the factory or the caller.
    }

    public override string ToString() => $"Bedrock chat client for {settings.PathModelId}";

    private static long ReadTokenCount(ProviderResponse response) =>
        JsonValues.ParseElement(response.Body).TryGetProperty("inputTokens", out var value)
            && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var tokens) && tokens >= 0
            ? tokens
            : throw new InvalidDataException("the CountTokens answer has no whole, non-negative inputTokens.");

    private async IAsyncEnumerable<ChatResponseUpdate> ReadStreamAsync(ProviderStream stream, Call call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var mapper = new ConverseStreamMapper(Transport, call.Settings.PathModelId, stream.Header("x-amzn-RequestId"), Transport.TimeProvider.GetUtcNow(), call.OutputTool);
        await foreach (var frame in EventStreamReader.ReadAsync(stream, cancellationToken).ConfigureAwait(false))
        {
            if (mapper.Map(frame) is { } update)
            {
                yield return update;
            }
        }

        if (!mapper.Stopped)
        {
            throw new EndOfStreamException("the Bedrock stream ended before its messageStop event, so the answer is incomplete.");
        }
    }

    /// <summary>Maps the call before anything is sent; a per-call model id must be one path segment.</summary>
    private Call Prepare(IEnumerable<ChatMessage> messages, ChatOptions? options, ConverseRequestWriter.Kind kind)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var perCall = options?.ModelId is { Length: > 0 } modelId && modelId != settings.ModelId;
        var callSettings = perCall ? settings.WithModelId(options!.ModelId!) : settings;
        var segment = perCall
            ? ProviderRequest.PathSegment(callSettings.PathModelId, "ChatOptions.ModelId")
            : _segment ??= ProviderRequest.PathSegment(settings.PathModelId, "the model id");
        var body = ConverseRequestWriter.Write(messages, options, callSettings, this, kind, out var outputTool);
        return new Call(callSettings, segment, body, outputTool);
    }

    /// <summary>One mapped call.</summary>
    /// <param name="Settings">The settings of the model called.</param>
    /// <param name="Segment">The model id of the path, encoded as one segment.</param>
    /// <param name="Body">The request body (Converse, ConverseStream or CountTokens).</param>
    /// <param name="OutputTool">The forced structured-output tool, whose input is the answer.</param>
    private readonly record struct Call(BedrockSettings Settings, string Segment, byte[] Body, string? OutputTool);
}
