using System.ComponentModel;
using System.Security.Claims;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Benchmarks.Infrastructure;
using ModelRegistry.Benchmarks.Registry;
using ModelRegistry.Conversations;
using ModelRegistry.Providers;

namespace ModelRegistry.Benchmarks;

/// <summary>
/// What <c>UseConversations()</c> costs per call with the in-memory store: caller check, lock, load of a 10-message
/// history (deserialised from the store's JSON), the call, and the versioned append of the question and the answer
/// (serialised). Both contenders call the same built registry client of one entry whose provider answers at once; the
/// baseline is that call without conversations. Each measured call continues a conversation of its own that holds
/// exactly 10 messages (a pool made before each iteration), so the history does not grow during the run.
/// </summary>
/// <remarks>Run: <c>./build/bench.sh --filter '*ConversationStoreBenchmarks*'</c></remarks>
[Description("A registry call with UseConversations() and the in-memory store, continuing a 10-message conversation (load + append), against the same registry call without conversations.")]
[MemoryDiagnoser]
[InvocationCount(Pool)]
public class ConversationStoreBenchmarks
{
    private const int Pool = 1024;
    private const int HistoryMessages = 10;
    private static readonly ChatMessage[] Question = [new(ChatRole.User, "and then?")];
    private static readonly ClaimsPrincipal Caller = new(new ClaimsIdentity([new(ClaimTypes.Role, ConversationRoles.User), new(ClaimTypes.NameIdentifier, "bench")], "bench"));

    private ServiceProvider _plainServices = null!;
    private ServiceProvider _conversationServices = null!;
    private IChatClient _plain = null!;
    private IChatClient _withConversations = null!;
    private ConversationService _conversations = null!;
    private ChatOptions[] _options = [];
    private int _next;

    [GlobalSetup]
    public async Task Setup()
    {
        _plainServices = Services(conversations: false);
        _conversationServices = Services(conversations: true);
        _plain = _plainServices.GetRequiredService<IModelRegistry>().GetChatClient("fast");
        _withConversations = _conversationServices.GetRequiredService<IModelRegistry>().GetChatClient("fast");
        _conversations = _conversationServices.GetRequiredService<ConversationService>();

        await FillPool();
        var answer = await WithConversations();
        Check.Equal("hello", answer.Text, "answer through conversations");
        Check.Equal(_options[0].ConversationId, answer.ConversationId, "the store's id on the answer");
        Check.Equal(HistoryMessages + 2, (await _conversations.GetMessagesAsync(answer.ConversationId!, Caller)).Count, "messages stored after the call");
        Check.Equal("hello", (await Plain()).Text, "answer without conversations");
    }

    [IterationSetup(Target = nameof(WithConversations))]
    public void IterationSetup() => FillPool().GetAwaiter().GetResult();

    /// <summary>Deletes the iteration's conversations, so the store does not grow over the run.</summary>
    [IterationCleanup(Target = nameof(WithConversations))]
    public void IterationCleanup()
    {
        var store = _conversationServices.GetRequiredService<IConversationStore>();
        foreach (var options in _options)
        {
            store.DeleteAsync(options.ConversationId!).GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _plainServices.Dispose();
        _conversationServices.Dispose();
    }

    [Benchmark(Baseline = true, Description = "registry call")]
    public Task<ChatResponse> Plain() => _plain.GetResponseAsync(Question);

    [Benchmark(Description = "registry call + conversation (load 10, append 2)")]
    public Task<ChatResponse> WithConversations() => _withConversations.GetResponseAsync(Question, _options[_next++ % Pool]);

    private static ServiceProvider Services(bool conversations)
    {
        var services = new ServiceCollection()
            .AddSingleton(EnvironmentProvider.FromVariables(new Dictionary<string, string?>()))
            .AddSingleton<IChatClientProvider, AnsweringProvider>();
        var registry = services.AddModelRegistry().FromJson("""{"fast":{"provider":"answering","model_id":"model-v1"}}""");
        if (conversations)
        {
            registry.UseConversations(o => o.DefaultCaller = Caller);
        }

        return services.BuildServiceProvider();
    }

    /// <summary>Conversations of 10 messages each, one per measured call.</summary>
    private async Task FillPool()
    {
        var store = _conversationServices.GetRequiredService<IConversationStore>();
        _options = new ChatOptions[Pool];
        for (var i = 0; i < Pool; i++)
        {
            var conversation = await store.CreateAsync(
                new Conversation { Id = $"conv-bench-{Guid.NewGuid():N}", OwnerId = "bench" },
                [.. Enumerable.Range(0, HistoryMessages).Select(m => new ChatMessage(m % 2 == 0 ? ChatRole.User : ChatRole.Assistant, $"message {m} of the history"))]);
            _options[i] = new ChatOptions { ConversationId = conversation.Id };
        }

        _next = 0;
    }
}
