namespace ModelRegistry.ParameterStore;

/// <summary>How parameters are read from SSM Parameter Store.</summary>
public enum ParameterStoreTransport
{
    /// <summary>
    /// Inside Lambda (<c>AWS_LAMBDA_FUNCTION_NAME</c> and <c>AWS_SESSION_TOKEN</c> set), the Lambda Parameters and Secrets
    /// extension on localhost, falling back to the SSM API when the extension is absent or answers its generic error
    /// (the API then names the exact problem); elsewhere the SSM API.
    /// </summary>
    Auto,

    /// <summary>Always the Lambda Parameters and Secrets extension; never the SSM API.</summary>
    Extension,

    /// <summary>Always the SSM API (<c>GetParameter</c> through the AWS SDK), with the AWS default credential chain and region.</summary>
    Api,
}
