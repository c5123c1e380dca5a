using System.Collections.Concurrent;
using System.Diagnostics;
using OpenTelemetry;

namespace ModelRegistry.Samples.Tests;

/// <summary>An OpenTelemetry exporter keeping the names of the spans it was given.</summary>
internal sealed class CollectingExporter : BaseExporter<Activity>
{
    public ConcurrentQueue<string> Exported { get; } = new();

    public override ExportResult Export(in Batch<Activity> batch)
    {
        foreach (var activity in batch)
        {
            Exported.Enqueue(activity.DisplayName);
        }

        return ExportResult.Success;
    }
}
