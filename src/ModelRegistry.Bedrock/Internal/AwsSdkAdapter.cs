using System.Diagnostics.CodeAnalysis;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.EventStreams;
using Amazon.Runtime.Signing;

namespace ModelRegistry.Bedrock.Internal;

/// <summary>AWS credentials as plain strings, resolved for one request.</summary>
/// <param name="AccessKey">The access key id.</param>
/// <param name="SecretKey">The secret access key. Never logged.</param>
/// <param name="SessionToken">The session token of temporary credentials, if any.</param>
internal sealed record AwsSigningCredentials(string AccessKey, string SecretKey, string? SessionToken)
{
    /// <summary>Never prints the secret.</summary>
    public override string ToString() => $"AWS credentials {AccessKey}";
}

/// <summary>One decoded event-stream message: its headers (string-valued ones as text) and its payload.</summary>
/// <param name="Headers">Header name to value; non-string values as their invariant text.</param>
/// <param name="Payload">The payload bytes.</param>
internal sealed record EventStreamFrame(IReadOnlyDictionary<string, string> Headers, byte[] Payload)
{
    /// <summary>A header's value, or <see langword="null"/>.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// Everything this package takes from AWSSDK.Core, in one place, so a change of that SDK's API touches this file only:
/// the default credential chain, the region chain, the SigV4 signer and the event-stream message decoder (CRC checks).
/// </summary>
internal static class AwsSdkAdapter
{
    /// <summary>The region environment variables the AWS chain reads, for error messages.</summary>
    public const string RegionVariables = "AWS_REGION (or AWS_DEFAULT_REGION)";

    /// <summary>
    /// Resolves credentials through the AWS default chain (environment, web identity, profile, container, instance
    /// role) and returns a function that yields the current credentials, refreshing temporary ones when they expire.
    /// </summary>
    /// <exception cref="AwsCredentialsNotFoundException">No source in the chain has credentials.</exception>
    public static async Task<Func<CancellationToken, Task<AwsSigningCredentials>>> ResolveDefaultCredentialsAsync(CancellationToken cancellationToken)
    {
        AWSCredentials credentials;
        try
        {
            credentials = await DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonClientException ex)
        {
            throw new AwsCredentialsNotFoundException(ex.Message, ex);
        }

        return async ct =>
        {
            var current = await credentials.GetCredentialsAsync().WaitAsync(ct).ConfigureAwait(false);
            return new AwsSigningCredentials(current.AccessKey, current.SecretKey, current.UseToken ? current.Token : null);
        };
    }

    /// <summary>The region of the AWS chain (environment, profile, instance metadata), or <see langword="null"/>.</summary>
    public static string? ResolveDefaultRegion()
    {
        try
        {
            return FallbackRegionFactory.GetRegionEndpoint()?.SystemName;
        }
        catch (AmazonClientException)
        {
            return null;
        }
    }

    /// <summary>Forgets the cached region of the AWS chain (tests change the environment).</summary>
    public static void ResetRegionCache() => FallbackRegionFactory.Reset();

    /// <summary>
    /// Signs a request with SigV4 and returns the headers to add (Authorization, X-Amz-Date, X-Amz-Content-SHA256 and
    /// X-Amz-Security-Token for temporary credentials). The request URI must carry the path exactly as sent on the wire;
    /// the signer encodes it once more for the canonical request, as SigV4 requires for every service but S3.
    /// </summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="uri">The request URI as sent.</param>
    /// <param name="headers">Headers to sign besides Host (e.g. Content-Type).</param>
    /// <param name="body">The body; empty for none.</param>
    /// <param name="credentials">The credentials.</param>
    /// <param name="region">The signing region, e.g. <c>us-east-1</c>.</param>
    /// <param name="service">The signing name, <c>bedrock</c>.</param>
    /// <param name="signedAt">The signing time (UTC).</param>
    public static IReadOnlyDictionary<string, string> SignV4(
        HttpMethod method,
        Uri uri,
        IReadOnlyDictionary<string, string> headers,
        byte[] body,
        AwsSigningCredentials credentials,
        string region,
        string service,
        DateTimeOffset signedAt)
    {
        var request = new AWSSigningRequest { HttpMethod = method, RequestUri = uri, Content = body };
        foreach (var (name, value) in headers)
        {
            request.Headers[name] = value;
        }

        AWSCredentials awsCredentials = credentials.SessionToken is { Length: > 0 } token
            ? new SessionAWSCredentials(credentials.AccessKey, credentials.SecretKey, token)
            : new BasicAWSCredentials(credentials.AccessKey, credentials.SecretKey);
        var result = AWSSigV4Signer.Sign(request, new AWSSigV4Parameters
        {
            Credentials = awsCredentials,
            Region = RegionEndpoint.GetBySystemName(region),
            Service = service,
            SignedAt = signedAt.UtcDateTime,
            SignPayload = true,
        });
        return new Dictionary<string, string>(result.Headers, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Decodes one complete event-stream message (prelude, headers, payload, both CRC32 checks). The buffer must hold
    /// exactly one message starting at index 0: AWSSDK.Core 4.0 rejects messages at any other offset.
    /// </summary>
    /// <exception cref="InvalidDataException">A checksum or the framing is wrong.</exception>
    public static EventStreamFrame DecodeEventStreamMessage(byte[] message)
    {
        EventStreamMessage decoded;
        try
        {
            decoded = EventStreamMessage.FromBuffer(message, 0, message.Length);
        }
        catch (EventStreamChecksumFailureException ex)
        {
            throw new InvalidDataException($"The Bedrock event stream is corrupt: a message of {message.Length} bytes failed its CRC32 check ({ex.Message}).", ex);
        }
        catch (EventStreamParseException ex)
        {
            throw new InvalidDataException($"The Bedrock event stream is corrupt: a message of {message.Length} bytes could not be parsed ({ex.Message}).", ex);
        }

        var headers = new Dictionary<string, string>(decoded.Headers.Count, StringComparer.Ordinal);
        foreach (var (name, header) in decoded.Headers)
        {
            headers[name] = HeaderText(header);
        }

        return new EventStreamFrame(headers, decoded.Payload ?? []);
    }

    [SuppressMessage("Globalization", "CA1305", Justification = "Values are formatted invariantly below.")]
    private static string HeaderText(IEventStreamHeader header) => header.HeaderType switch
    {
        EventStreamHeaderType.String => header.AsString(),
        EventStreamHeaderType.BoolTrue => "true",
        EventStreamHeaderType.BoolFalse => "false",
        EventStreamHeaderType.SByte => header.AsSByte().ToString(System.Globalization.CultureInfo.InvariantCulture),
        EventStreamHeaderType.Int16 => header.AsInt16().ToString(System.Globalization.CultureInfo.InvariantCulture),
        EventStreamHeaderType.Int32 => header.AsInt32().ToString(System.Globalization.CultureInfo.InvariantCulture),
        EventStreamHeaderType.Int64 => header.AsInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
        EventStreamHeaderType.ByteBuf => Convert.ToBase64String(header.AsByteBuf()),
        EventStreamHeaderType.Timestamp => header.AsTimestamp().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        EventStreamHeaderType.UUID => header.AsUUID().ToString(),
        _ => string.Empty,
    };
}
