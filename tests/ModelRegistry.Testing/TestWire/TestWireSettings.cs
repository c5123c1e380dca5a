using ModelRegistry.Providers;

namespace ModelRegistry.Testing.TestWire;

/// <summary>The entry keys testwire reads, declared to the registry, which validates them at load.</summary>
internal static class TestWireSettings
{
    public static readonly EntrySetting<Uri> Endpoint = EntrySettings.Url("endpoint", "http://127.0.0.1:8080/");

    public static readonly EntrySetting<string> ApiKey = EntrySettings.SecretReference("api_key");

    public static readonly IReadOnlyList<EntrySetting> All = [Endpoint, ApiKey];
}
