using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>An <see cref="IChatClient"/> over the Bedrock Converse (<c>/converse</c>) and ConverseStream (<c>/converse-stream</c>) HTTP API.</summary>
internal sealed class BedrockChatClient(BedrockTransport transport) : IChatClient
{
    /// <summary>The provider name in <see cref="ChatClientMetadata"/>, as OpenTelemetry's gen_ai.system names Bedrock.</summary>
    public const string ProviderName = "aws.bedrock";

    private readonly ChatClientMetadata _metadata = new(ProviderName, transport.Settings.Endpoint, transport.Settings.ModelId);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var (body, outputTool, settings) = Prepare(messages, options);
        using var response = await transport.SendAsync(
            HttpMethod.Post, r => transport.Authenticator.RuntimeUri(r, "converse", settings), body, "application/json", cancellationToken).ConfigureAwait(false);
        JsonObject json;
        try
        {
            var text = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            json = ConverseResponseMapper.Parse(text);
        }
        catch (Exception ex) when (ex is JsonException or HttpRequestException or IOException)
        {
            throw BedrockErrors.Transport(transport.Settings, "Bedrock's Converse response could not be read", ex);
        }

        return ConverseResponseMapper.Map(json, settings.PathModelId, RequestId(response), transport.Time.GetUtcNow(), outputTool);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var (body, outputTool, settings) = Prepare(messages, options);
        using var response = await transport.SendAsync(
            HttpMethod.Post, r => transport.Authenticator.RuntimeUri(r, "converse-stream", settings), body, "application/vnd.amazon.eventstream", cancellationToken)
            .ConfigureAwait(false);
        var mapper = new ConverseStreamMapper(transport.Settings, settings.PathModelId, RequestId(response), transport.Time.GetUtcNow(), outputTool);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var frames = EventStreamReader.ReadAsync(stream, cancellationToken).GetAsyncEnumerator(cancellationToken);
            await using (frames.ConfigureAwait(false))
            {
                while (true)
                {
                    ChatResponseUpdate? update;
                    try
                    {
                        if (!await frames.MoveNextAsync().ConfigureAwait(false))
                        {
                            break;
                        }

                        update = mapper.Map(frames.Current);
                    }
                    catch (Exception ex) when (ex is InvalidDataException or HttpRequestException or IOException or JsonException)
                    {
                        throw BedrockErrors.Transport(transport.Settings, "the Bedrock stream broke", ex);
                    }

                    if (update is not null)
                    {
                        yield return update;
                    }
                }
            }
        }

        if (!mapper.Stopped)
        {
            throw BedrockErrors.Transport(transport.Settings, "the Bedrock stream broke", new InvalidDataException(
                "The stream ended before its messageStop event: the response is incomplete."));
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        // The HttpClient belongs to the factory or the caller.
    }

    public override string ToString() => $"Bedrock chat client for {transport.Settings.Describe}";

    private (byte[] Body, string? OutputTool, BedrockSettings Settings) Prepare(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var settings = options?.ModelId is { Length: > 0 } modelId && modelId != transport.Settings.ModelId
            ? transport.Settings.WithModelId(modelId)
            : transport.Settings;
        var request = ConverseRequestBuilder.Build(messages, options, settings, this, out var outputTool);
        return (JsonSerializer.SerializeToUtf8Bytes(request, BedrockJsonContext.Default.JsonObject), outputTool, settings);
    }

    private static string? RequestId(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-amzn-RequestId", out var values) ? values.FirstOrDefault() : null;
}
