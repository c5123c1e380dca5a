namespace ModelRegistry.Samples.Lambda;

/// <summary>The ActivitySource the sample's chat pipeline traces under.</summary>
internal static class Telemetry
{
    public const string SourceName = "ModelRegistry.Samples.Lambda";
}
