using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using ModelRegistry.Providers;

namespace ModelRegistry.Internal;

/// <summary>
/// The registry's OpenTelemetry instruments, on the <c>ModelRegistry</c> meter: the routing facts MEAI's own gen_ai
/// metrics cannot see (which entry of a fallback chain made an attempt, how it ended, fallbacks, breakers, client
/// limits, tokens and cost by entry). Each fact is recorded at the one place it happens. Every method checks its
/// instrument's <see cref="Instrument.Enabled"/> first, so with no listener nothing is allocated or computed. Tag
/// values are registry names, provider names, model ids and error codes: never a message, a secret or user content.
/// </summary>
internal sealed class RegistryMetrics : IDisposable
{
    /// <summary>The meter's name, the package's.</summary>
    public const string MeterName = "ModelRegistry";

    public const string Provider = "gen_ai.provider.name";
    public const string Operation = "gen_ai.operation.name";
    public const string RequestModel = "gen_ai.request.model";
    public const string TokenType = "gen_ai.token.type";
    public const string ErrorType = "error.type";
    public const string Entry = "model_registry.entry";
    public const string Outcome = "model_registry.outcome";
    public const string FallbackFrom = "model_registry.fallback.from";
    public const string FallbackTo = "model_registry.fallback.to";
    public const string FallbackReason = "model_registry.fallback.reason";
    public const string BreakerState = "model_registry.breaker.state";
    public const string LimitKind = "model_registry.limit.kind";
    public const string Currency = "model_registry.currency";

    /// <summary>The <see cref="FallbackReason"/> of an answer the content filter stopped (<c>fallback_on:content_filter</c>).</summary>
    public const string ContentFilterReason = "content_filter";

    private static readonly string[] OutcomeValues = ["success", "error", "cancelled", "abandoned"];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    /// <summary>Creates the instruments on a meter from <paramref name="factory"/>, or on a meter of our own when there is none.</summary>
    public RegistryMetrics(IMeterFactory? factory)
    {
        _ownsMeter = factory is null;
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        Attempts = _meter.CreateCounter<long>("model_registry.attempts", "{attempt}", "Attempts on registry entries, by entry and outcome: each entry of a fallback chain that was tried counts once, refusals by the registry included.");
        AttemptDuration = _meter.CreateHistogram<double>("model_registry.attempt.duration", "s", "How long one attempt on one entry took, to the end of its stream; MEAI's gen_ai.client.operation.duration covers the whole call, fallbacks included.");
        Fallbacks = _meter.CreateCounter<long>("model_registry.fallbacks", "{fallback}", "Calls moved from a failed entry to the next entry of its fallback chain.");
        BreakerStateChanges = _meter.CreateCounter<long>("model_registry.breaker.state_changes", "{change}", "Transitions of an entry's circuit breaker.");
        LimitRefusals = _meter.CreateCounter<long>("model_registry.limit.refusals", "{refusal}", "Calls an entry's client-side limits refused before sending them.");
        Tokens = _meter.CreateCounter<long>("model_registry.tokens", "{token}", "Tokens the provider reported per entry; cached input tokens are also counted as input.");
        Cost = _meter.CreateCounter<double>("model_registry.cost", "{currency}", "What the attempts cost at the entry's pricing, in its currency (model_registry.currency).");
    }

    public Counter<long> Attempts { get; }

    public Histogram<double> AttemptDuration { get; }

    public Counter<long> Fallbacks { get; }

    public Counter<long> BreakerStateChanges { get; }

    public Counter<long> LimitRefusals { get; }

    public Counter<long> Tokens { get; }

    public Counter<double> Cost { get; }

    /// <summary>Whether any per-attempt instrument has a listener; when not, attempts are not observed at all.</summary>
    public bool ObservesAttempts => Attempts.Enabled || AttemptDuration.Enabled || Tokens.Enabled || Cost.Enabled;

    /// <summary>Records one attempt on <paramref name="entry"/> that ended as <paramref name="outcome"/>.</summary>
    /// <param name="entry">The entry that made the attempt.</param>
    /// <param name="requestModel">The model id asked for: the caller's <c>ChatOptions.ModelId</c> else the entry's.</param>
    /// <param name="outcome">How it ended.</param>
    /// <param name="error">The failure, for <see cref="AttemptOutcome.Error"/>.</param>
    /// <param name="usage">The usage the provider reported, if any.</param>
    /// <param name="elapsed">How long it took.</param>
    public void RecordAttempt(ModelEntry entry, string requestModel, AttemptOutcome outcome, Exception? error, UsageDetails? usage, TimeSpan elapsed)
    {
        var tags = new TagList
        {
            { Operation, "chat" },
            { Provider, entry.Provider },
            { Entry, entry.Name },
            { RequestModel, requestModel },
        };

        if (AttemptDuration.Enabled)
        {
            var durationTags = tags;
            durationTags.Add(Outcome, OutcomeValues[(int)outcome]);
            AttemptDuration.Record(elapsed.TotalSeconds, durationTags);
        }

        if (Attempts.Enabled)
        {
            var attemptTags = tags;
            attemptTags.Add(Outcome, OutcomeValues[(int)outcome]);
            if (outcome == AttemptOutcome.Error && error is not null)
            {
                attemptTags.Add(ErrorType, AttemptFailure.ErrorTypeOf(error));
            }

            Attempts.Add(1, attemptTags);
        }

        if (usage is null)
        {
            return;
        }

        long input = usage.InputTokenCount.GetValueOrDefault(), output = usage.OutputTokenCount.GetValueOrDefault(), cached = usage.CachedInputTokenCount.GetValueOrDefault();
        if (Tokens.Enabled)
        {
            AddTokens(tags, "input", input);
            AddTokens(tags, "output", output);
            AddTokens(tags, "cached", cached);
        }

        if (Cost.Enabled && entry.Pricing is { } pricing)
        {
            var cacheWrite = usage.AdditionalCounts?.TryGetValue(RegistryProperties.CacheWriteInputTokens, out var written) == true ? written : 0;
            var cost = (double)pricing.CostOf(input, output, cached, cacheWrite);
            if (cost > 0)
            {
                tags.Add(Currency, pricing.Currency);
                Cost.Add(cost, tags);
            }
        }
    }

    /// <summary>Records a call moving from entry <paramref name="from"/> to entry <paramref name="to"/>.</summary>
    public void RecordFallback(string from, string to, string reason)
    {
        if (Fallbacks.Enabled)
        {
            Fallbacks.Add(1, new TagList { { FallbackFrom, from }, { FallbackTo, to }, { FallbackReason, reason } });
        }
    }

    /// <summary>Records a transition of an entry's breaker to <paramref name="state"/> (<c>open</c>, <c>half_open</c>, <c>closed</c>).</summary>
    public void RecordBreakerState(string entry, string state)
    {
        if (BreakerStateChanges.Enabled)
        {
            BreakerStateChanges.Add(1, new TagList { { Entry, entry }, { BreakerState, state } });
        }
    }

    /// <summary>Records a refusal by an entry's client-side limit of <paramref name="kind"/> (<c>concurrency</c>, <c>requests_per_minute</c>, <c>tokens_per_minute</c>).</summary>
    public void RecordLimitRefusal(ModelEntry entry, string kind)
    {
        if (LimitRefusals.Enabled)
        {
            LimitRefusals.Add(1, new TagList { { Provider, entry.Provider }, { Entry, entry.Name }, { LimitKind, kind } });
        }
    }

    public void Dispose()
    {
        // A meter from the factory is the factory's to dispose.
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private void AddTokens(TagList tags, string type, long count)
    {
        if (count > 0)
        {
            tags.Add(TokenType, type);
            Tokens.Add(count, tags);
        }
    }
}
