using ModelRegistry.Providers;

namespace ModelRegistry.Testing;

/// <summary>
/// Options of the testwire provider, the kit's own names and nothing else (see <see cref="ProviderClientOptions"/>).
/// Direct use: <c>new TestWireClient(options)</c>; registry: <c>AddTestWire(options =&gt; ...)</c>, where an entry's
/// <c>endpoint</c> and <c>api_key</c> override them.
/// </summary>
public sealed class TestWireClientOptions : ProviderClientOptions
{
}
