using System.Globalization;
using System.Text.RegularExpressions;

using ModelRegistry.Internal;

namespace ModelRegistry.Providers;

/// <summary>
/// Declares the keys a provider reads from its registry entries (<see cref="IChatClientProvider.Settings"/>), each with
/// the rule its value must meet. The registry checks every entry against them when it loads; the provider reads values
/// with <see cref="EntrySetting{T}.TryGetValue"/> by the same rule.
/// </summary>
public static partial class EntrySettings
{
    private const long MaxMilliseconds = 24L * 60 * 60 * 1000;

    /// <summary>Free text (trimmed, one line, no control characters), optionally with its own rule.</summary>
    /// <param name="key">The key.</param>
    /// <param name="expected">What a valid value is, for messages, e.g. <c>an agent id such as ag_0123</c>.</param>
    /// <param name="isValid">The value's own rule, applied to the trimmed text.</param>
    public static EntrySetting<string> Text(string key, string expected = "a non-empty line of text", Func<string, bool>? isValid = null) =>
        new(key, expected, (text, _) =>
        {
            var value = text.Trim();
            if (value.Length == 0 || value.Any(char.IsControl))
            {
                return (null, "it is empty or holds control characters");
            }

            return isValid is null || isValid(value) ? (value, null) : (null, string.Empty);
        });

    /// <summary>A whole number in a range.</summary>
    /// <param name="key">The key.</param>
    /// <param name="min">The smallest value allowed.</param>
    /// <param name="max">The largest value allowed.</param>
    public static EntrySetting<long> WholeNumber(string key, long min, long max) =>
        new(key, $"a whole number from {Format(min)} to {Format(max)}", (text, _) =>
            long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
                ? (value, null)
                : (0, string.Empty));

    /// <summary>A duration given in whole milliseconds, in a range.</summary>
    /// <param name="key">The key, by convention ending in <c>_ms</c>.</param>
    /// <param name="min">The shortest duration allowed, in milliseconds.</param>
    /// <param name="max">The longest duration allowed, in milliseconds; at most a day.</param>
    public static EntrySetting<TimeSpan> Milliseconds(string key, long min, long max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(min);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(max, MaxMilliseconds);
        return new(key, $"a whole number of milliseconds from {Format(min)} to {Format(max)}", (text, _) =>
            long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
                ? (TimeSpan.FromMilliseconds(value), null)
                : (TimeSpan.Zero, string.Empty));
    }

    /// <summary>A ratio above 0 and at most 1.</summary>
    /// <param name="key">The key.</param>
    public static EntrySetting<double> Ratio(string key) =>
        new(key, "a number above 0 and at most 1, such as 0.5", (text, _) =>
            double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && value <= 1
                ? (value, null)
                : (0, string.Empty));

    /// <summary><c>true</c> or <c>false</c>.</summary>
    /// <param name="key">The key.</param>
    public static EntrySetting<bool> Boolean(string key) =>
        new(key, "true or false", (text, _) => bool.TryParse(text.Trim(), out var value) ? (value, null) : (false, string.Empty));

    /// <summary>One of a fixed set of words, matched ignoring case.</summary>
    /// <typeparam name="T">What each word stands for.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="choices">Each word and its value.</param>
    public static EntrySetting<T> Choice<T>(string key, params (string Name, T Value)[] choices)
    {
        ArgumentNullException.ThrowIfNull(choices);
        ArgumentOutOfRangeException.ThrowIfZero(choices.Length);
        var names = string.Join(", ", choices.Select(c => c.Name));
        return new(key, $"one of: {names}", (text, _) =>
        {
            foreach (var (name, value) in choices)
            {
                if (string.Equals(name, text.Trim(), StringComparison.OrdinalIgnoreCase))
                {
                    return (value, null);
                }
            }

            return (default, string.Empty);
        });
    }

    /// <summary>An absolute <c>http</c> or <c>https</c> URL with a host and no user name, query or fragment.</summary>
    /// <param name="key">The key.</param>
    /// <param name="example">An example for messages, e.g. <c>https://api.mistral.ai</c>.</param>
    public static EntrySetting<Uri> Url(string key, string example = "https://example.com") =>
        new(key, $"an absolute http(s) URL with no user name, query or fragment, such as {example}", (text, _) =>
            TryParseUrl(text.Trim(), out var uri) ? (uri, null) : (null, string.Empty));

    /// <summary>An AWS region name such as <c>eu-west-1</c> (a known partition prefix, a direction and a number).</summary>
    /// <param name="key">The key.</param>
    public static EntrySetting<string> AwsRegion(string key) =>
        new(key, "an AWS region name such as eu-west-1 or us-east-1", (text, _) =>
        {
            var value = text.Trim();
            return IsAwsRegion(value) ? (value, null) : (null, string.Empty);
        });

    /// <summary>
    /// An AWS ARN of one service and resource type: <c>arn:PARTITION:SERVICE:REGION:ACCOUNT:TYPE/ID</c>, with a known
    /// partition, a valid region, a 12-digit account (or none, where AWS owns the resource) and one of the given types.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="service">The service, e.g. <c>bedrock</c>.</param>
    /// <param name="resourceTypes">The resource types allowed, e.g. <c>application-inference-profile</c>.</param>
    public static EntrySetting<string> AwsArn(string key, string service, params string[] resourceTypes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        ArgumentNullException.ThrowIfNull(resourceTypes);
        ArgumentOutOfRangeException.ThrowIfZero(resourceTypes.Length);
        var example = $"arn:aws:{service}:eu-west-1:123456789012:{resourceTypes[0]}/abc123";
        return new(key, $"an ARN such as {example} (resource type {string.Join(", ", resourceTypes)})", (text, _) =>
        {
            var value = text.Trim();
            return ArnProblem(value, service, resourceTypes) is { } problem ? (null, problem) : (value, null);
        });
    }

    /// <summary>
    /// A secret reference, <c>scheme:name</c> (<c>env:MY_KEY</c>, <c>ssm:/prod/key</c>) or the bare name of an environment
    /// variable in capitals, whose scheme the application serves. A value that looks like a secret itself is refused
    /// without being repeated.
    /// </summary>
    /// <param name="key">The key, e.g. <c>api_key</c>.</param>
    public static EntrySetting<string> SecretReference(string key) =>
        new(key, "a secret reference such as \"env:MY_API_KEY\" or \"ssm:/prod/api-key\"", (text, schemes) =>
        {
            if (!SecretReferences.TryParse(text, out var scheme, out _))
            {
                return (null, "must be a secret reference such as \"env:MY_API_KEY\" or \"ssm:/prod/api-key\", not the secret itself: " +
                    "put the secret in an environment variable or an SSM SecureString and reference it");
            }

            if (schemes is not null && !schemes.Contains(scheme, StringComparer.OrdinalIgnoreCase))
            {
                return (null, $"uses the secret scheme '{scheme}', which no secret source serves (known: {string.Join(", ", schemes.Order(StringComparer.Ordinal))})" +
                    (scheme == "ssm" ? "; add the ModelRegistry.ParameterStore package and call .AddParameterStore()" : string.Empty));
            }

            return (text.Trim(), null);
        }, isSecret: true);

    /// <summary>Whether text is an AWS region name (see <see cref="AwsRegion"/>).</summary>
    internal static bool IsAwsRegion(string text) => RegionPattern().IsMatch(text);

    internal static bool TryParseUrl(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? uri)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out uri)
            && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            && uri.Host.Length > 0
            && uri.UserInfo.Length == 0
            && uri.Query.Length == 0
            && uri.Fragment.Length == 0
            && !text.Any(char.IsControl))
        {
            return true;
        }

        uri = null;
        return false;
    }

    private static string? ArnProblem(string arn, string service, string[] resourceTypes)
    {
        var parts = arn.Split(':', 6);
        if (parts.Length != 6 || parts[0] != "arn")
        {
            return "it is not of the form arn:partition:service:region:account:type/id";
        }

        if (parts[1] is not ("aws" or "aws-cn" or "aws-us-gov" or "aws-iso" or "aws-iso-b" or "aws-iso-e" or "aws-iso-f" or "aws-eusc"))
        {
            return $"'{parts[1]}' is not an AWS partition";
        }

        if (parts[2] != service)
        {
            return $"the service is '{parts[2]}', not '{service}'";
        }

        if (!IsAwsRegion(parts[3]))
        {
            return $"'{parts[3]}' is not an AWS region";
        }

        if (parts[4].Length != 0 && (parts[4].Length != 12 || !parts[4].All(char.IsAsciiDigit)))
        {
            return $"'{parts[4]}' is not a 12-digit account id";
        }

        var slash = parts[5].IndexOf('/', StringComparison.Ordinal);
        var type = slash < 0 ? parts[5] : parts[5][..slash];
        var id = slash < 0 ? string.Empty : parts[5][(slash + 1)..];
        if (!resourceTypes.Contains(type, StringComparer.Ordinal))
        {
            return $"the resource type is '{type}', not {string.Join(" or ", resourceTypes)}";
        }

        if (id.Length == 0 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '/'))
        {
            return "the resource id after the '/' is missing or holds characters other than letters, digits and - _ . : /";
        }

        return null;
    }

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov|us-iso|us-isob|us-isof|eu-isoe|eusc)(-[a-z]{2})?-(north|south|east|west|central|northeast|southeast|northwest|southwest)-[1-9][0-9]?$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionPattern();
}
