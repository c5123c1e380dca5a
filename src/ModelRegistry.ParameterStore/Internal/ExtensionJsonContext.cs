using System.Text.Json.Serialization;

namespace ModelRegistry.ParameterStore.Internal;

/// <summary>
/// The Lambda Parameters and Secrets extension's answer to <c>/systemsmanager/parameters/get</c>: the GetParameter
/// result, except that <c>LastModifiedDate</c> is an ISO-8601 string rather than the API's epoch seconds.
/// </summary>
internal sealed class ExtensionResponse
{
    public ExtensionParameter? Parameter { get; set; }
}

internal sealed class ExtensionParameter
{
    public string? Name { get; set; }

    public string? Type { get; set; }

    public string? Value { get; set; }

    public long? Version { get; set; }

    public DateTimeOffset? LastModifiedDate { get; set; }
}

[JsonSerializable(typeof(ExtensionResponse))]
internal sealed partial class ExtensionJsonContext : JsonSerializerContext;
