using ModelRegistry.Internal;

namespace ModelRegistry.Tests;

/// <summary>A source that counts its loads and serves whatever JSON the test sets, or fails when told to.</summary>
internal sealed class CountingSource(string json) : IModelRegistrySource
{
    private int _loads;

    public string Json { get; set; } = json;

    public Exception? Failure { get; set; }

    public int Loads => Volatile.Read(ref _loads);

    public string Description => "the test source";

    public async ValueTask<IReadOnlyList<ModelEntry>> LoadAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _loads);
        await Task.Yield();
        if (Failure is { } failure)
        {
            throw failure;
        }

        return RegistryParser.Parse(Json, Description);
    }
}
