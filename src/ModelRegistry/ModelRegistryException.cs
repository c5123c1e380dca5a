namespace ModelRegistry;

/// <summary>
/// The registry or its configuration is wrong: malformed registry JSON, an entry missing a field, an unknown
/// provider or model name, a missing secret. The message names the culprit and the setting to change.
/// </summary>
public sealed class ModelRegistryException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelRegistryException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    public ModelRegistryException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What is wrong and how to fix it.</param>
    /// <param name="innerException">The cause.</param>
    public ModelRegistryException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
