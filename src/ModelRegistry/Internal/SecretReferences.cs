using System.Diagnostics.CodeAnalysis;

namespace ModelRegistry.Internal;

/// <summary>
/// The one parser of secret references: <c>scheme:name</c> with a lower-case scheme (<c>env:MY_KEY</c>,
/// <c>ssm:/prod/key</c>), or the bare name of an environment variable in capitals (<c>MISTRAL_API_KEY</c>). Anything else
/// (a mixed-case token, text with spaces) is not a reference, and is most likely the secret itself.
/// </summary>
internal static class SecretReferences
{
    public static bool TryParse(string text, [NotNullWhen(true)] out string? scheme, [NotNullWhen(true)] out string? name)
    {
        var value = text.Trim();
        scheme = name = null;
        if (value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return false;
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            if (!char.IsAsciiDigit(value[0]) && value.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_'))
            {
                (scheme, name) = ("env", value);
                return true;
            }

            return false;
        }

        var prefix = value[..colon];
        var rest = value[(colon + 1)..];
        if (prefix.Length is 0 or > 16 || !char.IsAsciiLetterLower(prefix[0]) || !prefix.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)) || rest.Length == 0)
        {
            return false;
        }

        (scheme, name) = (prefix, rest);
        return true;
    }
}
