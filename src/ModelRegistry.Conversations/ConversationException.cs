using Microsoft.Extensions.AI;

namespace ModelRegistry.Conversations;

/// <summary>
/// A conversation could not be read or written: unknown id, access refused, archived, concurrent append, history too
/// long, store down (<see cref="ErrorCode"/>, one of <see cref="ConversationErrorCodes"/>). It never makes the registry
/// fall back to another entry: every entry would meet the same conversation. The message never holds a secret.
/// </summary>
public sealed class ConversationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConversationException()
        : this("The conversation operation failed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public ConversationException(string message)
        : this(message, ConversationErrorCodes.StoreUnavailable, conversationId: null)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public ConversationException(string message, Exception? innerException)
        : this(message, ConversationErrorCodes.StoreUnavailable, conversationId: null, innerException)
    {
    }

    /// <summary>Creates the exception with its code.</summary>
    /// <param name="message">What failed and how to fix it.</param>
    /// <param name="errorCode">One of <see cref="ConversationErrorCodes"/>.</param>
    /// <param name="conversationId">The conversation concerned, if any.</param>
    /// <param name="innerException">The cause, if any.</param>
    public ConversationException(string message, string errorCode, string? conversationId, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
        ConversationId = conversationId;
    }

    /// <summary>What failed: one of <see cref="ConversationErrorCodes"/>.</summary>
    public string ErrorCode { get; }

    /// <summary>The conversation concerned, if any.</summary>
    public string? ConversationId { get; }

    /// <summary>Whether the same call may succeed if tried again (<see cref="ConversationErrorCodes.Conflict"/>, <see cref="ConversationErrorCodes.StoreUnavailable"/>).</summary>
    public bool IsRetryable => ErrorCode is ConversationErrorCodes.Conflict or ConversationErrorCodes.StoreUnavailable;

    /// <summary>
    /// The model's answer when it was produced but could not be stored because another call appended first
    /// (<see cref="ConversationErrorCodes.Conflict"/>); <see langword="null"/> otherwise.
    /// </summary>
    public ChatResponse? UnstoredResponse { get; init; }
}
