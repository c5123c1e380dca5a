namespace ModelRegistry.Emf.Internal;

/// <summary>
/// The limits of the CloudWatch Embedded Metric Format specification and of CloudWatch dimensions that a line must
/// meet. Each check returns <see langword="null"/> when the value is valid, else what is wrong with it.
/// </summary>
internal static class EmfRules
{
    public const int MaxNamespaceLength = 255;
    public const int MaxDimensionNameLength = 250;
    public const int MaxDimensionValueLength = 1024;
    public const int MaxDimensionsPerSet = 30;
    public const int MaxMetricsPerDirective = 100;

    /// <summary>CloudWatch Logs rejects larger events, so a line over this size is dropped.</summary>
    public const int MaxLineBytes = 1024 * 1024;

    public static string? CheckNamespace(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "it is empty";
        }

        if (value.Length > MaxNamespaceLength)
        {
            return $"it has {value.Length} characters, more than {MaxNamespaceLength}";
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '#' or ':' or '/' or '-'))
            {
                return $"it contains '{c}'; use only A-Z a-z 0-9 . _ # : / -";
            }
        }

        return value.StartsWith("AWS/", StringComparison.Ordinal) ? "namespaces starting with AWS/ are reserved for AWS services" : null;
    }

    public static string? CheckDimensionName(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "it is empty";
        }

        if (value.Length > MaxDimensionNameLength)
        {
            return $"it has {value.Length} characters, more than {MaxDimensionNameLength}";
        }

        return value[0] == ':' ? "it starts with ':'" : CheckAsciiPrintable(value);
    }

    public static string? CheckDimensionValue(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "it is empty";
        }

        return value.Length > MaxDimensionValueLength
            ? $"it has {value.Length} characters, more than {MaxDimensionValueLength}"
            : CheckAsciiPrintable(value);
    }

    private static string? CheckAsciiPrintable(string value)
    {
        foreach (var c in value)
        {
            if (!char.IsAscii(c) || char.IsControl(c))
            {
                return $"it contains the character U+{(int)c:X4}; CloudWatch accepts only printable ASCII";
            }
        }

        return null;
    }
}
