using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.Mistral.Internal;

/// <summary>
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over <c>/v1/embeddings</c>. Inputs are split transparently into
/// batches the API accepts (at most 512 inputs and an estimated 16,384 tokens each, sent one after the other); a batch
/// the API still finds too large (error code 3210) is halved and sent again.
/// </summary>
internal sealed class MistralEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    internal const int MaxInputsPerBatch = 512;
    internal const int MaxTokensPerBatch = 16_384;

    private readonly MistralApi _api;
    private readonly string _modelId;
    private readonly EmbeddingGeneratorMetadata _metadata;

    public MistralEmbeddingGenerator(MistralApi api, string modelId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        _api = api;
        _modelId = modelId;
        _metadata = new EmbeddingGeneratorMetadata(MistralProtocol.TelemetryProviderName, api.Endpoint, modelId);
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var inputs = values as IReadOnlyList<string> ?? values.ToList();
        var result = new GeneratedEmbeddings<Embedding<float>>(inputs.Count);
        var model = MistralNames.ModelFor(options?.ModelId, _modelId, "EmbeddingGenerationOptions.ModelId");
        foreach (var (start, count) in Batches(inputs))
        {
            await GenerateBatchAsync(inputs, start, count, model, options, result, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    private async Task GenerateBatchAsync(
        IReadOnlyList<string> inputs, int start, int count, string model, EmbeddingGenerationOptions? options,
        GeneratedEmbeddings<Embedding<float>> result, CancellationToken cancellationToken)
    {
        var body = WriteRequest(inputs, start, count, model, options);
        var request = await _api.RequestAsync(HttpMethod.Post, "embeddings", body, streaming: false, cancellationToken).ConfigureAwait(false);
        try
        {
            await _api.Transport.SendAsync(request, response =>
            {
                _api.ReportDeprecation(response.Header(MistralApi.DeprecationHeader), model);
                using var document = JsonDocument.Parse(response.Body);
                Read(document.RootElement, count, result);
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (ModelProviderException ex) when (count > 1 && ex.StatusCode == 400 && ex.ErrorCode == "3210")
        {
            // "Too many tokens overall / too many inputs, split into more batches": our token estimate was too low for this text.
            Log.SplittingEmbeddingBatch(_api.Transport.Logger, count);
            var half = count / 2;
            await GenerateBatchAsync(inputs, start, half, model, options, result, cancellationToken).ConfigureAwait(false);
            await GenerateBatchAsync(inputs, start + half, count - half, model, options, result, cancellationToken).ConfigureAwait(false);
        }
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
        if (options?.Dimensions is { } dimensions)
        {
            writer.WriteNumber("output_dimension", dimensions);
        }

        if (options?.AdditionalProperties?.TryGetValue(MistralProperties.OutputDtype, out var dtype) == true && dtype is string type)
        {
            writer.WriteString("output_dtype", type);
        }

        writer.WriteEndObject();
        return body.ToArray();
    }

    private void Read(JsonElement root, int expected, GeneratedEmbeddings<Embedding<float>> result)
    {
        ProviderJson.RequireObject(root, "The body");
        var model = ProviderJson.ReadString(root, "model");
        var created = ProviderJson.ReadUnixSeconds(root, "created");
        var batch = new Embedding<float>[expected];
        if (root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
        {
            var position = 0;
            foreach (var item in data.EnumerateArray())
            {
                var index = item.TryGetProperty("index", out var i) && i.TryGetInt32(out var n) ? n : position;
                position++;
                if (index < 0 || index >= expected || !item.TryGetProperty("embedding", out var vector) || vector.ValueKind != JsonValueKind.Array)
                {
                    continue;
                }

                var values = new float[vector.GetArrayLength()];
                var j = 0;
                foreach (var number in vector.EnumerateArray())
                {
                    values[j++] = number.GetSingle();
                }

                batch[index] = new Embedding<float>(values) { ModelId = model, CreatedAt = created };
            }
        }

        var missing = Array.IndexOf(batch, null);
        if (missing >= 0)
        {
            throw _api.Transport.Failure(
                ProviderErrorCodes.InvalidResponse,
                $"Mistral returned {batch.Count(e => e is not null)} embeddings for {expected} inputs (none for input {missing}).");
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

    /// <summary>Splits inputs into runs of at most 512 inputs and about 16k estimated tokens (an input over the budget goes alone).</summary>
    internal static IEnumerable<(int Start, int Count)> Batches(IReadOnlyList<string> inputs)
    {
        var start = 0;
        var tokens = 0;
        for (var i = 0; i < inputs.Count; i++)
        {
            var estimate = EstimateTokens(inputs[i]);
            var count = i - start;
            if (count > 0 && (count == MaxInputsPerBatch || tokens + estimate > MaxTokensPerBatch))
            {
                yield return (start, count);
                start = i;
                tokens = 0;
            }

            tokens += estimate;
        }

        if (inputs.Count > start)
        {
            yield return (start, inputs.Count - start);
        }
    }

    /// <summary>A deliberately high token estimate: one token per three UTF-8 bytes (real text averages about four characters a token).</summary>
    internal static int EstimateTokens(string text) => (Encoding.UTF8.GetByteCount(text) + 2) / 3 + 1;

    public object? GetService(Type serviceType, object? serviceKey = null) => ProviderServices.GetService(this, _metadata, serviceType, serviceKey);

    public void Dispose()
    {
        // The HttpClient belongs to IHttpClientFactory, the kit or the caller.
    }
}
