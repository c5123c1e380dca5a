namespace ModelRegistry.ParameterStore.Internal;

/// <summary>
/// One read parameter. Not a record, so no generated <c>ToString</c> can print <see cref="Value"/>, which may be a
/// decrypted secret.
/// </summary>
internal sealed class SsmParameter(string name, string type, string value, long version, DateTimeOffset? lastModified)
{
    public string Name => name;

    /// <summary><c>String</c>, <c>StringList</c> or <c>SecureString</c>.</summary>
    public string Type => type;

    /// <summary>The value, decrypted for a SecureString. Never log it.</summary>
    public string Value => value;

    public long Version => version;

    public DateTimeOffset? LastModified => lastModified;

    public override string ToString() => $"{Name} version {Version} ({Type})";
}
