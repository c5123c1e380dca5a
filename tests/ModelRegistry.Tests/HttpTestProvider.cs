using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ModelRegistry.Tests;

/// <summary>
/// A provider speaking a tiny JSON protocol over real HTTP, so registry-level resilience is tested against the replay
/// server's scripted faults: POST {endpoint}/chat {"model","prompt"} → {"text","input_tokens","output_tokens"};
/// streaming answers lines "data: text". Errors become <see cref="ModelProviderException"/> like a real provider's.
/// </summary>
internal sealed class HttpTestProvider : IChatClientProvider
{
    public string Name => "http";

    public IChatClient CreateChatClient(ModelEntry entry, IServiceProvider services)
    {
        var resilience = services.GetRequiredService<IOptions<ModelRegistryOptions>>().Value.Resilience.ForEntry(entry);
        return new Client(entry, new Uri(entry.GetSetting("endpoint")!), ProviderResilience.CreatePipeline(resilience, services.GetRequiredService<TimeProvider>()));
    }

    private sealed class Client(ModelEntry entry, Uri endpoint, Polly.ResiliencePipeline<HttpResponseMessage> pipeline) : IChatClient
    {
        private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            using var response = await SendAsync(messages, stream: false, cancellationToken);
            var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!;
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, (string?)json["text"]))
            {
                ModelId = entry.ModelId,
                Usage = new UsageDetails { InputTokenCount = (long?)json["input_tokens"], OutputTokenCount = (long?)json["output_tokens"] },
            };
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            using var response = await SendAsync(messages, stream: true, cancellationToken);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
            string? line;
            while ((line = await ReadLineAsync(reader, cancellationToken)) is not null)
            {
                if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    yield return new ChatResponseUpdate(ChatRole.Assistant, line["data: ".Length..]);
                }
            }
        }

        private async Task<string?> ReadLineAsync(StreamReader reader, CancellationToken cancellationToken)
        {
            try
            {
                return await reader.ReadLineAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                throw new ModelProviderException($"The stream of '{entry.Name}' broke.", "http", ex) { ModelName = entry.Name, IsRetryable = true };
            }
        }

        private async Task<HttpResponseMessage> SendAsync(IEnumerable<ChatMessage> messages, bool stream, CancellationToken cancellationToken)
        {
            HttpResponseMessage response;
            try
            {
                response = await pipeline.ExecuteAsync(
                    async ct => await _http.SendAsync(
                        new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, stream ? "stream" : "chat"))
                        {
                            Content = JsonContent.Create(new JsonObject { ["model"] = entry.ModelId, ["prompt"] = string.Concat(messages.Select(m => m.Text)) }),
                        },
                        HttpCompletionOption.ResponseHeadersRead,
                        ct),
                    cancellationToken);
            }
            catch (HttpRequestException ex)
            {
                throw new ModelProviderException($"'{entry.Name}' is unreachable.", "http", ex) { ModelName = entry.Name, IsRetryable = true };
            }

            if (!response.IsSuccessStatusCode)
            {
                using (response)
                {
                    throw new ModelProviderException($"'{entry.Name}' answered {(int)response.StatusCode}.", "http")
                    {
                        ModelName = entry.Name,
                        StatusCode = (int)response.StatusCode,
                        IsRetryable = ProviderResilience.IsTransient(response),
                        RetryAfter = ProviderResilience.GetRetryAfter(response, TimeProvider.System),
                    };
                }
            }

            return response;
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose() => _http.Dispose();
    }
}
