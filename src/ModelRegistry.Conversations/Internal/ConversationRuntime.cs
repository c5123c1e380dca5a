using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ModelRegistry.Conversations.Internal;

/// <summary>What the middleware of every entry and <see cref="ConversationService"/> share: the store, the options, the per-conversation locks, logging and metrics.</summary>
internal sealed partial class ConversationRuntime
{
    /// <summary>The name of the package's <see cref="Meter"/>.</summary>
    public const string MeterName = "ModelRegistry.Conversations";

    /// <summary>The counter of answers that were produced but not stored.</summary>
    public const string UnstoredAnswersInstrument = "modelregistry.conversations.unstored_answers";

    private readonly Counter<long> _unstoredAnswers;
    private readonly IServiceProvider _services;

    public ConversationRuntime(IServiceProvider services, ConversationOptions options)
    {
        _services = services;
        Options = options;
        Store = services.GetRequiredService<IConversationStore>();
        Time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        Logger = services.GetService<ILoggerFactory>()?.CreateLogger("ModelRegistry.Conversations") ?? NullLogger.Instance;
        var meter = services.GetService<IMeterFactory>()?.Create(MeterName) ?? new Meter(MeterName);
        _unstoredAnswers = meter.CreateCounter<long>(UnstoredAnswersInstrument, "{answer}", "Answers a model produced that the conversation store did not keep.");
    }

    public ConversationOptions Options { get; }

    public IConversationStore Store { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    public ConversationLocks Locks { get; } = new();

    /// <summary>The application's <see cref="IChatReducer"/>, if it registered one.</summary>
    public IChatReducer? Reducer => _services.GetService<IChatReducer>();

    /// <summary>How errors name the store: its own description, or its type.</summary>
    public string StoreDescription => Store is PostgreSqlConversationStore postgres ? postgres.Description : $"the conversation store {Store.GetType().Name}";

    /// <summary>A new conversation id.</summary>
    public static string NewId() => "conv_" + Guid.CreateVersion7().ToString("N");

    /// <summary>Calls the store; a failure that is not the store's own <see cref="ConversationException"/> becomes <see cref="ConversationErrorCodes.StoreUnavailable"/> naming the store.</summary>
    public async Task<T> CallStoreAsync<T>(Func<IConversationStore, CancellationToken, Task<T>> call, string? conversationId, CancellationToken cancellationToken)
    {
        try
        {
            return await call(Store, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not ConversationException and not OperationCanceledException)
        {
            throw new ConversationException(
                $"{StoreDescription} failed ({ex.GetType().Name}); nothing was written. Check the store, then try again.",
                ConversationErrorCodes.StoreUnavailable,
                conversationId,
                ex);
        }
    }

    /// <summary>Logs and counts an answer that was produced but not stored.</summary>
    public void AnswerNotStored(string entry, string? conversationId, ConversationException error)
    {
        _unstoredAnswers.Add(1, new KeyValuePair<string, object?>("model", entry), new KeyValuePair<string, object?>("error_code", error.ErrorCode));
        Log.AnswerNotStored(Logger, entry, conversationId ?? "(new)", error.ErrorCode, error.Message);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Model {Model} answered in conversation {ConversationId}, but the answer was not stored ({ErrorCode}): {Reason}")]
        public static partial void AnswerNotStored(ILogger logger, string model, string conversationId, string errorCode, string reason);
    }
}
