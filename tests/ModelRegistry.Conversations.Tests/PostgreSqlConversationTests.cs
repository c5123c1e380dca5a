using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using ModelRegistry.Conversations.Internal;
using ModelRegistry.Testing;
using Npgsql;

namespace ModelRegistry.Conversations.Tests;

/// <summary>The conversation tests on a real PostgreSQL (a database of the fixture's own), and what only that store does.</summary>
[TestFixture]
public sealed class PostgreSqlConversationTests : ConversationTests
{
    private string _connectionString = null!;

    /// <summary>A database of each test's own, so listings see only the test's conversations.</summary>
    [SetUp]
    public async Task CreateDatabase() => _connectionString = await PostgresTestServer.CreateDatabaseAsync();

    private protected override void UseStore(ConversationOptions options) => options.PostgreSqlConnectionString = _connectionString;

    [Test]
    public async Task Migrations_apply_once_under_concurrent_first_use_and_create_the_seed_schema()
    {
        var database = await PostgresTestServer.CreateDatabaseAsync();
        var stores = Enumerable.Range(0, 6).Select(_ => new PostgreSqlConversationStore(database, TimeProvider.System)).ToList();

        await Task.WhenAll(stores.Select(s => Task.Run(() => s.InitializeAsync())));
        await stores[0].InitializeAsync();

        Assert.That(await PostgresTestServer.QueryAsync(database, "SELECT version FROM modelregistry_conversations_migrations"), Is.EqualTo(new[] { "1" }));
        var tables = await PostgresTestServer.QueryAsync(database, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
        Assert.That(tables, Is.SupersetOf(new[] { "agents", "conversation_entries", "conversations" }));
        var indexes = await PostgresTestServer.QueryAsync(database, "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1");
        Assert.That(indexes, Is.SupersetOf(new[]
        {
            "conversations_agent_id_idx", "conversations_owner_id_idx", "conversations_created_at_idx", "conversation_entries_created_at_idx", "conversation_entries_type_idx",
        }));
        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }
    }

    [Test]
    public async Task Entries_fill_the_seed_columns_and_chain_to_their_parents()
    {
        await using var app = Build();
        var id = (await app.Service.StartAsync()).Id;
        await app.Store.AppendAsync(
            id,
            0,
            [
                new ChatMessage(ChatRole.User, "weather?"),
                new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "get_weather", new Dictionary<string, object?> { ["city"] = "Oslo" })]),
                new ChatMessage(ChatRole.Tool, [new FunctionResultContent("c1", "cold")]),
            ],
            providerState: null);

        var rows = await PostgresTestServer.QueryAsync(
            _connectionString,
            "SELECT concat_ws('|', e.position, e.type, e.role, e.content, e.tool_name, e.tool_call_id, p.position) FROM conversation_entries e " +
            $"LEFT JOIN conversation_entries p ON p.id = e.parent_entry_id WHERE e.conversation_id = '{id}' ORDER BY e.position");
        Assert.That(rows, Is.EqualTo(new[] { "0|message|user|weather?", "1|function_call|assistant|get_weather|c1|0", "2|function_result|tool|c1|1" }));
        var json = await PostgresTestServer.QueryAsync(_connectionString, $"SELECT content_json->'contents'->0->>'name' FROM conversation_entries WHERE conversation_id = '{id}' AND position = 1");
        Assert.That(json, Is.EqualTo(new[] { "get_weather" }), "content_json is JSONB that queries can reach into");
    }

    [Test]
    public async Task A_store_that_is_down_fails_the_call_naming_the_store_without_its_password_and_calls_no_model()
    {
        var unreachable = new NpgsqlConnectionStringBuilder(PostgresTestServer.ConnectionString)
        {
            Port = 1, // nothing listens on port 1 of 127.0.0.1
            Password = "sk-test-do-not-print",
            Timeout = 3,
        }.ConnectionString;
        await using var app = ConversationHarness.Build(o => o.PostgreSqlConnectionString = unreachable);

        var error = Assert.ThrowsAsync<ConversationException>(() => app.Client().GetResponseAsync("hi", new ChatOptions { ConversationId = "conv_any" }))!;

        Assert.That(error.ErrorCode, Is.EqualTo(ConversationErrorCodes.StoreUnavailable));
        Assert.That(error.IsRetryable, Is.True);
        Assert.That(error.Message, Does.Contain("PostgreSQL conversation store at").And.Contain(":1/"));
        Assert.That(error.ToString() + app.Logs.AllText(), Does.Not.Contain("sk-test-do-not-print"));
        Assert.That(app.Models["primary"].Calls, Is.Empty);
        Assert.That(app.Models["secondary"].Calls, Is.Empty, "a store outage does not fall back: every entry would meet it");
        var initialize = Assert.ThrowsAsync<ConversationException>(() => app.Service.InitializeStoreAsync())!;
        Assert.That(initialize.ErrorCode, Is.EqualTo(ConversationErrorCodes.StoreUnavailable));
    }

    [Test]
    public void A_malformed_connection_string_is_refused_at_configuration_without_being_repeated()
    {
        var error = Assert.Throws<ModelRegistryException>(() => ConversationHarness.Build(o => o.PostgreSqlConnectionString = "Host=db;Password=sk-test-secret;Bogus Key=1"));

        Assert.That(error!.Message, Does.Contain("PostgreSqlConnectionString").And.Not.Contain("sk-test-secret"));
    }
}
