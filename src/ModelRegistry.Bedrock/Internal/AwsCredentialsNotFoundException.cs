namespace ModelRegistry.Bedrock.Internal;

/// <summary>The AWS default credential chain found no credentials; the message lists what each source said.</summary>
internal sealed class AwsCredentialsNotFoundException : Exception
{
    public AwsCredentialsNotFoundException()
    {
    }

    public AwsCredentialsNotFoundException(string message)
        : base(message)
    {
    }

    public AwsCredentialsNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
