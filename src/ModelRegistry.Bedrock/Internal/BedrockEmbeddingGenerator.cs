using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>
/// Embeddings over InvokeModel (<c>/model/{id}/invoke</c>), in each family's own body: Amazon Titan Text v2
/// (<c>inputText</c>, <c>dimensions</c>, <c>normalize</c>; one text per call), Cohere Embed v3/v4 (<c>texts</c>,
/// <c>input_type</c>, <c>truncate</c>, v4's <c>output_dimension</c> and <c>max_tokens</c>; up to 96 texts per call) and
/// Amazon Nova multimodal embeddings (<c>singleEmbeddingParams</c>; one text per call).
/// Options: <see cref="EmbeddingGenerationOptions.Dimensions"/>, and AdditionalProperties <c>normalize</c> (Titan),
/// <c>input_type</c> (Cohere, default search_document), <c>embedding_purpose</c> (Nova, default GENERIC_INDEX),
/// <c>truncate</c> (NONE, START, END), <c>max_tokens</c> (Cohere v4).
/// </summary>
internal sealed class BedrockEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private const int CohereBatch = 96;

    private readonly BedrockTransport _transport;
    private readonly Kind _kind;
    private readonly EmbeddingGeneratorMetadata _metadata;

    public BedrockEmbeddingGenerator(BedrockTransport transport)
    {
        _transport = transport;
        var family = ModelFamily.Of(transport.Settings.ModelId).BaseId;
        _kind = family.StartsWith("amazon.titan-embed", StringComparison.Ordinal) ? Kind.Titan
            : family.StartsWith("cohere.embed", StringComparison.Ordinal) ? Kind.Cohere
            : family.StartsWith("amazon.nova", StringComparison.Ordinal) && family.Contains("embed", StringComparison.Ordinal) ? Kind.Nova
            : throw new NotSupportedException(
                $"{transport.Settings.Describe}: embeddings are supported for Amazon Titan Text Embeddings, Cohere Embed and Amazon Nova embeddings model ids; " +
                "for an inference profile ARN, give the base model id as ModelId and the ARN as InferenceProfileArn.");
        _metadata = new EmbeddingGeneratorMetadata(BedrockChatClient.ProviderName, transport.Settings.Endpoint, transport.Settings.ModelId);
    }

    private enum Kind
    {
        Titan,
        Cohere,
        Nova,
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var inputs = values.ToList();
        var result = new GeneratedEmbeddings<Embedding<float>>();
        long inputTokens = 0;
        var batch = _kind == Kind.Cohere ? CohereBatch : 1;
        for (var start = 0; start < inputs.Count; start += batch)
        {
            var chunk = inputs.GetRange(start, Math.Min(batch, inputs.Count - start));
            var body = Body(chunk, options);
            using var response = await _transport.SendAsync(
                HttpMethod.Post, r => _transport.Authenticator.RuntimeUri(r, "invoke"), JsonSerializer.SerializeToUtf8Bytes(body, BedrockJsonContext.Default.JsonObject),
                "application/json", cancellationToken).ConfigureAwait(false);
            var json = JsonNode.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false)) as JsonObject ?? [];
            var vectors = Vectors(json);
            if (vectors.Count != chunk.Count)
            {
                throw new ModelProviderException(
                    $"{_transport.Settings.Describe}: Bedrock returned {vectors.Count} embeddings for {chunk.Count} inputs.", BedrockErrors.Provider)
                {
                    ModelName = _transport.Settings.EntryName,
                };
            }

            foreach (var vector in vectors)
            {
                result.Add(new Embedding<float>(vector)
                {
                    ModelId = _transport.Settings.ModelId,
                    CreatedAt = _transport.Time.GetUtcNow(),
                });
            }

            inputTokens += TokenCount(response, json);
        }

        result.Usage = new UsageDetails { InputTokenCount = inputTokens, TotalTokenCount = inputTokens };
        return result;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
    }

    private JsonObject Body(List<string> texts, EmbeddingGenerationOptions? options)
    {
        var extra = options?.AdditionalProperties;
        string? Text(string key) => extra?.TryGetValue(key, out var v) == true ? Convert.ToString(v, CultureInfo.InvariantCulture) : null;
        var truncate = Text("truncate")?.ToUpperInvariant();
        switch (_kind)
        {
            case Kind.Titan:
                var titan = new JsonObject { ["inputText"] = texts[0] };
                if (options?.Dimensions is { } dimensions)
                {
                    titan["dimensions"] = dimensions;
                }

                titan["normalize"] = extra?.TryGetValue("normalize", out var normalize) == true && normalize is bool flag ? flag : true;
                return titan;
            case Kind.Cohere:
                var cohere = new JsonObject
                {
                    ["texts"] = new JsonArray([.. texts.Select(t => (JsonNode?)JsonValue.Create(t))]),
                    ["input_type"] = Text("input_type") ?? "search_document",
                };
                if (options?.Dimensions is { } outputDimension)
                {
                    cohere["output_dimension"] = outputDimension;
                }

                if (Text("max_tokens") is { } maxTokens && int.TryParse(maxTokens, NumberStyles.Integer, CultureInfo.InvariantCulture, out var max))
                {
                    cohere["max_tokens"] = max;
                }

                cohere["truncate"] = truncate ?? "NONE";
                return cohere;
            default:
                var parameters = new JsonObject
                {
                    ["embeddingPurpose"] = Text("embedding_purpose") ?? "GENERIC_INDEX",
                    ["text"] = new JsonObject { ["value"] = texts[0], ["truncationMode"] = truncate ?? "NONE" },
                };
                if (options?.Dimensions is { } novaDimensions)
                {
                    parameters["embeddingDimension"] = novaDimensions;
                }

                return new JsonObject { ["taskType"] = "SINGLE_EMBEDDING", ["singleEmbeddingParams"] = parameters };
        }
    }

    private List<float[]> Vectors(JsonObject json)
    {
        var arrays = _kind switch
        {
            Kind.Titan => json["embedding"] is JsonArray one ? [one] : new List<JsonArray>(),
            Kind.Cohere => ((json["embeddings"] as JsonArray) ?? (json["embeddings"]?["float"] as JsonArray) ?? []).OfType<JsonArray>().ToList(),
            _ => ((json["embeddings"] as JsonArray) ?? []).Select(e => e?["embedding"]).OfType<JsonArray>().ToList(),
        };
        return [.. arrays.Select(a => a.Select(v => v!.GetValue<float>()).ToArray())];
    }

    private static long TokenCount(HttpResponseMessage response, JsonObject json)
    {
        if (response.Headers.TryGetValues("x-amzn-bedrock-input-token-count", out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var header))
        {
            return header;
        }

        return json["inputTextTokenCount"] is JsonValue count && count.TryGetValue<long>(out var tokens) ? tokens : 0;
    }
}
