using System.Globalization;

namespace ModelRegistry.Providers;

/// <summary>
/// One classification of a failed attempt for everything that measures attempts (the registry's metrics, the EMF
/// middleware), so the same fault is counted the same way everywhere. Nothing here reads an exception's message: the
/// values are low-cardinality and never hold a secret or user content.
/// </summary>
public static class AttemptFailure
{
    /// <summary>
    /// How an attempt that threw <paramref name="error"/> ended: <see cref="AttemptOutcome.Cancelled"/> when the
    /// caller's token was cancelled and the attempt stopped for it, else <see cref="AttemptOutcome.Error"/>.
    /// </summary>
    /// <param name="error">What the attempt threw.</param>
    /// <param name="cancellationToken">The caller's token for the attempt.</param>
    public static AttemptOutcome OutcomeOf(Exception error, CancellationToken cancellationToken) =>
        error is OperationCanceledException && cancellationToken.IsCancellationRequested ? AttemptOutcome.Cancelled : AttemptOutcome.Error;

    /// <summary>
    /// Whether the failure is a rate or quota refusal: what <see cref="ModelProviderException.IsThrottling"/> says
    /// (a 429 unless the provider says otherwise, the registry's client-side limits), or any other exception carrying
    /// HTTP status 429.
    /// </summary>
    /// <param name="error">The failure; <see langword="null"/> for none.</param>
    public static bool IsThrottling(Exception? error) =>
        error is ModelProviderException { IsThrottling: true } || (StatusCodeOf(error) == 429 && error is not ModelProviderException);

    /// <summary>The HTTP status the failure carries, if any.</summary>
    /// <param name="error">The failure; <see langword="null"/> for none.</param>
    public static int? StatusCodeOf(Exception? error) => error switch
    {
        ModelProviderException provider => provider.StatusCode,
        HttpRequestException { StatusCode: { } status } => (int)status,
        _ => null,
    };

    /// <summary>
    /// A short, low-cardinality name for the failure, as OpenTelemetry's <c>error.type</c> wants it: the
    /// <see cref="ModelProviderException.ErrorCode"/> (ours, see <see cref="ProviderErrorCodes"/>, or the provider's),
    /// else the HTTP status, else the exception's full type name.
    /// </summary>
    /// <param name="error">The failure.</param>
    public static string ErrorTypeOf(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error switch
        {
            ModelProviderException { ErrorCode: { } code } => code,
            _ when StatusCodeOf(error) is { } status => status.ToString(CultureInfo.InvariantCulture),
            _ => error.GetType().FullName ?? error.GetType().Name,
        };
    }
}
