namespace ModelRegistry.Bedrock;

/// <summary>How a JSON <c>ResponseFormat</c> is asked of the model.</summary>
public enum BedrockStructuredOutputMode
{
    /// <summary>Native <c>outputConfig</c> for model families Bedrock documents as supporting it, a forced tool for the rest.</summary>
    Auto,

    /// <summary>Always the native <c>outputConfig.textFormat</c> JSON schema.</summary>
    Native,

    /// <summary>Always a tool whose input schema is the response schema, which the model is made to call.</summary>
    Tool,
}
