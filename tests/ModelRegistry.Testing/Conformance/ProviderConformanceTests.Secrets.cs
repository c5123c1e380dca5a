using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.AI;
using NUnit.Framework;

namespace ModelRegistry.Testing;

/// <summary>Secrets and metrics: a resolved key and an echoed credential appear nowhere; every call writes one EMF line.</summary>
public abstract partial class ProviderConformanceTests
{
    private const string ApiKeyVariable = "CONFORMANCE_API_KEY";

    /// <summary>
    /// The secrets canary: the entry's API key is a reference to a variable holding <see cref="ConformanceData.SecretCanary"/>;
    /// the client sends it, error bodies echo it back (with its <c>Bearer</c> scheme), calls fail and are retried, and
    /// the key appears in no exception, no log entry, no trace (MEAI's OpenTelemetry, sensitive data on) and no EMF line.
    /// </summary>
    [Test]
    public async Task SecretsCanary()
    {
        if (ApiKeySetting is not { } setting)
        {
            Assert.Ignore("Not run: the provider takes no API key (ApiKeySetting is null).");
            return;
        }

        await using var host = await StartAsync(
            new Dictionary<string, string> { [setting] = "env:" + ApiKeyVariable },
            new Dictionary<string, string?> { [ApiKeyVariable] = ConformanceData.SecretCanary });
        var echo = $"{ConformanceData.ErrorMessage(401)}: the key 'Bearer {ConformanceData.SecretCanary}' ({ConformanceData.SecretCanary}) is not valid";
        host.Server.Enqueue(Wire.Text, Wire.Error(401, echo), Wire.Error(401, echo));
        for (var i = 0; i < Attempts; i++)
        {
            host.Server.Enqueue(Wire.Error(500, echo));
        }

        await ChatAsync(host, Question());
        var errors = new List<Exception>
        {
            await FailsAsync<ModelProviderException>(ChatAsync(host, Question())),
            await FailsAsync<ModelProviderException>(Stream(host, Question()).Completion),
        };
        var retried = ChatAsync(host, Question());
        await host.Clock.AdvanceWhenArmedAsync(FirstBackoff);
        await host.Clock.AdvanceWhenArmedAsync(SecondBackoff);
        errors.Add(await FailsAsync<ModelProviderException>(retried));

        var seen = Observed(host, errors).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(host.Server.Requests[0].Headers.Values, Has.Some.Contains(ConformanceData.SecretCanary), "the resolved key was sent");
            Assert.That(errors.Select(e => e.Message), Has.All.Contains(ConformanceData.ErrorMessage(401)).Or.Contains(ConformanceData.ErrorMessage(500)), "the provider's messages are kept");
            Assert.That(seen.Where(s => s.Where.StartsWith("log", StringComparison.Ordinal)), Is.Not.Empty, "logs were captured");
            Assert.That(host.Activities, Has.Count.EqualTo(host.Calls), "one activity per call was captured");
            Assert.That(host.EmfLines, Has.Count.EqualTo(host.Calls), "one EMF line per call was captured");
            Assert.That(seen.Where(s => s.Text.Contains(ConformanceData.SecretCanary, StringComparison.Ordinal)).Select(s => $"{s.Where}: {s.Text}"), Is.Empty, "where the secret leaked");
        });
    }

    /// <summary>Every call writes exactly one EMF line naming the entry, whatever its outcome: answer, stream, error, cancellation.</summary>
    [Test]
    public async Task OneEmfLinePerCall()
    {
        await using var host = await StartAsync();
        host.Server.Enqueue(Wire.Text, Wire.TextStream.Complete(), Wire.Error(400, ConformanceData.ErrorMessage(400)), new ScriptedResponse { DelayBeforeHeaders = WireStream.Stall });
        using var cancel = new CancellationTokenSource();

        await ChatAsync(host, Question());
        await Stream(host, Question()).ToEndAsync();
        await FailsAsync<ModelProviderException>(ChatAsync(host, Question()));
        var cancelled = ChatAsync(host, Question(), cancellationToken: cancel.Token);
        await WaitForRequestsAsync(host.Server, 4);
        await cancel.CancelAsync();
        await FailsAsync<OperationCanceledException>(cancelled);

        var lines = host.EmfLines;
        Assert.That(lines, Has.Count.EqualTo(4));
        foreach (var line in lines)
        {
            using var document = JsonDocument.Parse(line);
            Assert.Multiple(() =>
            {
                Assert.That(document.RootElement.TryGetProperty("_aws", out _), Is.True, $"an EMF document: {line}");
                Assert.That(line, Does.Contain($"\"{ConformanceData.EntryName}\""), "names the entry");
            });
        }
    }

    /// <summary>Every text the case produced that a person or a collector could read: exceptions, log entries, traces, EMF lines.</summary>
    private static IEnumerable<(string Where, string Text)> Observed(ConformanceHost host, IEnumerable<Exception> errors)
    {
        foreach (var error in errors)
        {
            yield return ("exception", error.ToString());
        }

        foreach (var record in host.Logs.GetSnapshot())
        {
            yield return ($"log {record.Category}", record.Message);
            if (record.Exception is { } exception)
            {
                yield return ($"log {record.Category} exception", exception.ToString());
            }

            foreach (var (key, value) in record.StructuredState ?? [])
            {
                yield return ($"log {record.Category} {key}", value ?? string.Empty);
            }
        }

        foreach (var activity in host.Activities)
        {
            yield return ($"activity {activity.DisplayName} status", activity.StatusDescription ?? string.Empty);
            foreach (var (key, value) in activity.TagObjects)
            {
                yield return ($"activity {activity.DisplayName} tag {key}", Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty);
            }

            foreach (var activityEvent in activity.Events)
            {
                yield return ($"activity {activity.DisplayName} event {activityEvent.Name}", activityEvent.Name);
                foreach (var (key, value) in activityEvent.Tags)
                {
                    yield return ($"activity {activity.DisplayName} event {activityEvent.Name} {key}", Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty);
                }
            }
        }

        foreach (var line in host.EmfLines)
        {
            yield return ("EMF line", line);
        }
    }
}
