using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.OpenAI.Internal;

/// <summary>
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over <c>POST {base}/embeddings</c>. Inputs go in batches of at
/// most 2,048 (the API's limit on inputs per request), one after the other; <c>dimensions</c> is sent when asked for.
/// </summary>
internal sealed class OpenAIEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    internal const int MaxInputsPerBatch = 2048;

    private readonly OpenAIApi _api;
    private readonly string _modelId;
    private readonly EmbeddingGeneratorMetadata _metadata;

    public OpenAIEmbeddingGenerator(OpenAIApi api, string modelId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        _api = api;
        _modelId = modelId;
        _metadata = new EmbeddingGeneratorMetadata(OpenAIProtocol.TelemetryProviderName, api.Endpoint, modelId);
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var inputs = values as IReadOnlyList<string> ?? values.ToList();
        var result = new GeneratedEmbeddings<Embedding<float>>(inputs.Count);
        var model = OpenAINames.ModelFor(options?.ModelId, _modelId, "EmbeddingGenerationOptions.ModelId");
        for (var start = 0; start < inputs.Count; start += MaxInputsPerBatch)
        {
            var count = Math.Min(MaxInputsPerBatch, inputs.Count - start);
            var body = WriteRequest(inputs, start, count, model, options);
            var request = await _api.RequestAsync(HttpMethod.Post, "embeddings", body, streaming: false, cancellationToken).ConfigureAwait(false);
            await _api.Transport.SendAsync(request, response =>
            {
                using var document = JsonDocument.Parse(response.Body);
                if (OpenAIErrors.ErrorIn(document.RootElement, _api.Transport) is { } error)
                {
                    throw error;
                }

                Read(document.RootElement, count, result);
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    private static ReadOnlyMemory<byte> WriteRequest(IReadOnlyList<string> inputs, int start, int count, string model, EmbeddingGenerationOptions? options)
    {
        using var body = ProviderJsonBody.Rent();
        var writer = body.Writer;
        writer.WriteStartObject();
        writer.WriteString("model", model);
        writer.WriteStartArray("input");
        for (var i = start; i < start + count; i++)
        {
            writer.WriteStringValue(inputs[i]);
        }

        writer.WriteEndArray();
        writer.WriteString("encoding_format", "float");
        if (options?.Dimensions is { } dimensions)
        {
            writer.WriteNumber("dimensions", dimensions);
        }

        writer.WriteEndObject();
        return body.ToArray();
    }

    private void Read(JsonElement root, int expected, GeneratedEmbeddings<Embedding<float>> result)
    {
        ProviderJson.RequireObject(root, "The body");
        var model = ProviderJson.ReadString(root, "model");
        var batch = new Embedding<float>[expected];
        if (root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
        {
            var position = 0;
            foreach (var item in data.EnumerateArray())
            {
                var index = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.Number && i.TryGetInt32(out var n) ? n : position;
                position++;
                if (index < 0 || index >= expected || item.ValueKind != JsonValueKind.Object
                    || !item.TryGetProperty("embedding", out var vector) || vector.ValueKind != JsonValueKind.Array)
                {
                    continue;
                }

                var values = new float[vector.GetArrayLength()];
                var j = 0;
                foreach (var number in vector.EnumerateArray())
                {
                    values[j++] = number.GetSingle();
                }

                batch[index] = new Embedding<float>(values) { ModelId = model };
            }
        }

        var missing = Array.IndexOf(batch, null);
        if (missing >= 0)
        {
            throw _api.Transport.Failure(
                ProviderErrorCodes.InvalidResponse,
                $"The server returned {batch.Count(e => e is not null)} embeddings for {expected} inputs (none for input {missing}).");
        }

        result.AddRange(batch);
        if (root.TryGetProperty("usage", out var usage) && ChatResponseReader.ReadUsage(usage) is { } details)
        {
            details.OutputTokenCount = null;
            if (result.Usage is null)
            {
                result.Usage = details;
            }
            else
            {
                result.Usage.Add(details);
            }
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => ProviderServices.GetService(this, _metadata, serviceType, serviceKey);

    public void Dispose()
    {
        // The HttpClient belongs to IHttpClientFactory, the kit or the caller.
    }
}
