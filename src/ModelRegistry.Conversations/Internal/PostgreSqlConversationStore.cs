using System.Data.Common;
using System.Net.Sockets;
using System.Reflection;
using Microsoft.Extensions.AI;
using Npgsql;
using NpgsqlTypes;

namespace ModelRegistry.Conversations.Internal;

/// <summary>
/// Conversations in PostgreSQL (Npgsql, no ORM), in seed 001's tables. The schema is created by the embedded migrations
/// on first use (or <see cref="InitializeAsync"/>), under an advisory lock, so processes starting together apply it once.
/// An append is one transaction whose first statement moves <c>message_count</c> from the version the caller read: the
/// row lock it takes serialises concurrent appends, and the second one finds the count changed and writes nothing.
/// </summary>
internal sealed class PostgreSqlConversationStore : IConversationStore, IAsyncDisposable, IDisposable
{
    /// <summary>The advisory lock key migrations run under (any constant the application does not use).</summary>
    private const long MigrationLock = 0x4D52_436F_6E76_0001; // "MRConv" 1

    private const string ConversationColumns = "id, owner_id, agent_id, status, message_count, provider_state::text, metadata::text, created_at, updated_at";
    private const string AgentColumns = "id, name, model, instructions, metadata::text, created_at, updated_at";

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _initializing = new(1, 1);
    private volatile bool _initialized;

    public PostgreSqlConversationStore(string connectionString, TimeProvider time)
    {
        var builder = new NpgsqlSlimDataSourceBuilder(connectionString);
        builder.EnableArrays();
        var settings = builder.ConnectionStringBuilder;
        Description = $"the PostgreSQL conversation store at {settings.Host}:{settings.Port}/{settings.Database ?? settings.Username}";
        _dataSource = builder.Build();
        _time = time;
    }

    /// <summary>Names the store for errors: host, port and database, never the password.</summary>
    public string Description { get; }

    /// <summary>The migrations shipped in the package, by version.</summary>
    internal static IReadOnlyList<(int Version, string Name, string Sql)> Migrations { get; } = LoadMigrations();

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (_initialized)
        {
            return;
        }

        await _initializing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_initialized)
            {
                await RunAsync(MigrateAsync, cancellationToken).ConfigureAwait(false);
                _initialized = true;
            }
        }
        finally
        {
            _initializing.Release();
        }
    }

    public Task<Conversation> CreateAsync(Conversation conversation, IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        ArgumentNullException.ThrowIfNull(messages);
        return InTransactionAsync(
            async (connection, ct) =>
            {
                var now = _time.GetUtcNow();
                Conversation? stored;
                try
                {
                    stored = await QueryOneAsync(
                        connection,
                        "INSERT INTO conversations (id, owner_id, agent_id, status, message_count, provider_state, metadata, created_at, updated_at) " +
                        $"VALUES ($1, $2, $3, 'active', $4, $5::jsonb, $6::jsonb, $7, $7) ON CONFLICT (id) DO NOTHING RETURNING {ConversationColumns}",
                        ReadConversation,
                        ct,
                        conversation.Id,
                        conversation.OwnerId,
                        conversation.AgentId,
                        messages.Count,
                        conversation.ProviderState,
                        ConversationJson.Serialize(conversation.Metadata),
                        now).ConfigureAwait(false);
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation)
                {
                    throw new ConversationException(
                        $"Agent '{conversation.AgentId}' does not exist; create it first (ConversationService.SaveAgentAsync) or start the conversation without an agent.",
                        ConversationErrorCodes.NotFound,
                        conversation.Id);
                }

                if (stored is null)
                {
                    throw new ConversationException($"Conversation '{conversation.Id}' exists already; start a conversation with a new id.", ConversationErrorCodes.Conflict, conversation.Id);
                }

                await InsertEntriesAsync(connection, conversation.Id, 0, messages, now, ct).ConfigureAwait(false);
                return stored;
            },
            cancellationToken);
    }

    public Task<Conversation?> GetAsync(string conversationId, CancellationToken cancellationToken = default) => UseAsync(
        (connection, ct) => QueryOneAsync(connection, $"SELECT {ConversationColumns} FROM conversations WHERE id = $1", ReadConversation, ct, conversationId),
        cancellationToken);

    public Task<IReadOnlyList<Conversation>> ListAsync(string? ownerId, int offset, int limit, CancellationToken cancellationToken = default) => UseAsync(
        (connection, ct) => ownerId is null
            ? QueryAllAsync(connection, $"SELECT {ConversationColumns} FROM conversations ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT $2", ReadConversation, ct, offset, limit)
            : QueryAllAsync(connection, $"SELECT {ConversationColumns} FROM conversations WHERE owner_id = $1 ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT $3", ReadConversation, ct, ownerId, offset, limit),
        cancellationToken);

    public Task<IReadOnlyList<ChatMessage>> GetMessagesAsync(string conversationId, CancellationToken cancellationToken = default) => UseAsync(
        (connection, ct) => QueryAllAsync(
            connection,
            "SELECT content_json::text FROM conversation_entries WHERE conversation_id = $1 ORDER BY position",
            r => ConversationJson.DeserializeMessage(r.GetString(0)),
            ct,
            conversationId),
        cancellationToken);

    public Task<Conversation> AppendAsync(string conversationId, int expectedMessageCount, IReadOnlyList<ChatMessage> messages, string? providerState, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return InTransactionAsync(
            async (connection, ct) =>
            {
                var now = _time.GetUtcNow();

                // The row lock this takes makes a concurrent append wait, then find the count changed and update nothing.
                var updated = await QueryOneAsync(
                    connection,
                    "UPDATE conversations SET message_count = message_count + $3, provider_state = $4::jsonb, updated_at = $5 " +
                    $"WHERE id = $1 AND message_count = $2 AND status = 'active' RETURNING {ConversationColumns}",
                    ReadConversation,
                    ct,
                    conversationId,
                    expectedMessageCount,
                    messages.Count,
                    providerState,
                    now).ConfigureAwait(false);
                if (updated is null)
                {
                    var current = await QueryOneAsync(connection, $"SELECT {ConversationColumns} FROM conversations WHERE id = $1", ReadConversation, ct, conversationId).ConfigureAwait(false)
                        ?? throw ConversationCaller.NotFound(conversationId);
                    StoreErrors.CheckAppendable(current, expectedMessageCount);
                    throw ConversationCaller.NotFound(conversationId); // changed again since: not appendable as read
                }

                await InsertEntriesAsync(connection, conversationId, expectedMessageCount, messages, now, ct).ConfigureAwait(false);
                return updated;
            },
            cancellationToken);
    }

    public Task<bool> ArchiveAsync(string conversationId, CancellationToken cancellationToken = default) => ExecuteAsync(
        "UPDATE conversations SET status = 'archived', archived_at = COALESCE(archived_at, $2), updated_at = $2 WHERE id = $1",
        cancellationToken,
        conversationId,
        _time.GetUtcNow());

    public Task<bool> DeleteAsync(string conversationId, CancellationToken cancellationToken = default) =>
        ExecuteAsync("DELETE FROM conversations WHERE id = $1", cancellationToken, conversationId);

    public Task<ConversationAgent> SaveAgentAsync(ConversationAgent agent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return UseAsync(
            async (connection, ct) => (await QueryOneAsync(
                connection,
                "INSERT INTO agents (id, name, model, instructions, metadata, created_at, updated_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $6) " +
                "ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, model = EXCLUDED.model, instructions = EXCLUDED.instructions, " +
                $"metadata = EXCLUDED.metadata, updated_at = EXCLUDED.updated_at RETURNING {AgentColumns}",
                ReadAgent,
                ct,
                agent.Id,
                agent.Name,
                agent.Model,
                agent.Instructions,
                ConversationJson.Serialize(agent.Metadata),
                _time.GetUtcNow()).ConfigureAwait(false))!,
            cancellationToken);
    }

    public Task<ConversationAgent?> GetAgentAsync(string agentId, CancellationToken cancellationToken = default) => UseAsync(
        (connection, ct) => QueryOneAsync(connection, $"SELECT {AgentColumns} FROM agents WHERE id = $1", ReadAgent, ct, agentId),
        cancellationToken);

    public Task<IReadOnlyList<ConversationAgent>> ListAgentsAsync(int offset, int limit, CancellationToken cancellationToken = default) => UseAsync(
        (connection, ct) => QueryAllAsync(connection, $"SELECT {AgentColumns} FROM agents ORDER BY id OFFSET $1 LIMIT $2", ReadAgent, ct, offset, limit),
        cancellationToken);

    public Task<bool> DeleteAgentAsync(string agentId, CancellationToken cancellationToken = default) =>
        ExecuteAsync("DELETE FROM agents WHERE id = $1", cancellationToken, agentId);

    public ValueTask DisposeAsync()
    {
        _initializing.Dispose();
        return _dataSource.DisposeAsync();
    }

    public void Dispose()
    {
        _initializing.Dispose();
        _dataSource.Dispose();
    }

    /// <summary>What a message is, for the <c>type</c> column: a tool call, a tool result, reasoning only, or a message.</summary>
    internal static string EntryType(ChatMessage message) =>
        message.Contents.Any(c => c is FunctionCallContent) ? "function_call"
        : message.Contents.Any(c => c is FunctionResultContent) ? "function_result"
        : message.Contents.Count > 0 && message.Contents.All(c => c is TextReasoningContent) ? "reasoning"
        : "message";

    private static async Task InsertEntriesAsync(NpgsqlConnection connection, string conversationId, int firstPosition, IReadOnlyList<ChatMessage> messages, DateTimeOffset now, CancellationToken ct)
    {
        if (messages.Count == 0)
        {
            return;
        }

        var types = new string[messages.Count];
        var roles = new string[messages.Count];
        var contents = new string?[messages.Count];
        var json = new string[messages.Count];
        var toolNames = new string?[messages.Count];
        var toolCallIds = new string?[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            var call = message.Contents.OfType<FunctionCallContent>().FirstOrDefault();
            types[i] = EntryType(message);
            roles[i] = message.Role.Value;
            contents[i] = message.Text is { Length: > 0 } text ? text : null;
            json[i] = ConversationJson.Serialize(message);
            toolNames[i] = call?.Name;
            toolCallIds[i] = call?.CallId ?? message.Contents.OfType<FunctionResultContent>().FirstOrDefault()?.CallId;
        }

        // One statement for the rows, one linking each to the entry before it.
        var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                BatchCommand(
                    "INSERT INTO conversation_entries (conversation_id, position, type, role, content, content_json, tool_name, tool_call_id, created_at) " +
                    "SELECT $1, $2 + t.n - 1, t.type, t.role, t.content, t.json::jsonb, t.tool_name, t.tool_call_id, $9 " +
                    "FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) WITH ORDINALITY AS t(type, role, content, json, tool_name, tool_call_id, n)",
                    conversationId, firstPosition, types, roles, contents, json, toolNames, toolCallIds, now),
                BatchCommand(
                    "UPDATE conversation_entries e SET parent_entry_id = p.id FROM conversation_entries p " +
                    "WHERE e.conversation_id = $1 AND e.position >= $2 AND e.position > 0 AND p.conversation_id = $1 AND p.position = e.position - 1",
                    conversationId, firstPosition),
            },
        };
        await using (batch.ConfigureAwait(false))
        {
            await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    private static async Task MigrateAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            await QueryAllAsync(connection, "SELECT pg_advisory_xact_lock($1)", _ => 0, ct, MigrationLock).ConfigureAwait(false);
            await NonQueryAsync(
                connection,
                "CREATE TABLE IF NOT EXISTS modelregistry_conversations_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
                ct).ConfigureAwait(false);
            var applied = (await QueryAllAsync(connection, "SELECT version FROM modelregistry_conversations_migrations", r => r.GetInt32(0), ct).ConfigureAwait(false)).ToHashSet();
            foreach (var (version, name, sql) in Migrations.Where(m => !applied.Contains(m.Version)))
            {
                await NonQueryAsync(connection, sql, ct).ConfigureAwait(false); // without parameters, Npgsql splits the script into its statements
                await NonQueryAsync(connection, "INSERT INTO modelregistry_conversations_migrations (version, name) VALUES ($1, $2)", ct, version, name).ConfigureAwait(false);
            }

            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }
    }

    private static List<(int Version, string Name, string Sql)> LoadMigrations()
    {
        const string Prefix = "ModelRegistry.Conversations.Migrations.";
        var assembly = typeof(PostgreSqlConversationStore).Assembly;
        var migrations = new List<(int, string, string)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var name = resource[Prefix.Length..];
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add((int.Parse(name.AsSpan(0, name.IndexOf('_', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture), name, reader.ReadToEnd()));
        }

        return migrations;
    }

    private Task<bool> ExecuteAsync(string sql, CancellationToken cancellationToken, params object?[] parameters) => UseAsync(
        async (connection, ct) => await NonQueryAsync(connection, sql, ct, parameters).ConfigureAwait(false) > 0,
        cancellationToken);

    /// <summary>Runs an operation in one transaction, committed when it returns.</summary>
    private Task<T> InTransactionAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> operation, CancellationToken cancellationToken) => UseAsync(
        async (connection, ct) =>
        {
            var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var result = await operation(connection, ct).ConfigureAwait(false);
                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return result;
            }
        },
        cancellationToken);

    /// <summary>Runs an operation on an open connection, after the migrations; store failures become <see cref="ConversationErrorCodes.StoreUnavailable"/>.</summary>
    private async Task<T> UseAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        T result = default!;
        await RunAsync(async (connection, ct) => result = await operation(connection, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return result;
    }

    private async Task RunAsync(Func<NpgsqlConnection, CancellationToken, Task> operation, CancellationToken cancellationToken)
    {
        try
        {
            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                await operation(connection, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is DbException or SocketException or TimeoutException or IOException && !cancellationToken.IsCancellationRequested)
        {
            throw new ConversationException(
                $"{Description} failed: {ex.Message} Nothing was written. Check that the server is up and reachable, then try again.",
                ConversationErrorCodes.StoreUnavailable,
                conversationId: null,
                ex);
        }
    }

    private static async Task<int> NonQueryAsync(NpgsqlConnection connection, string sql, CancellationToken ct, params object?[] parameters)
    {
        var command = Command(connection, sql, parameters);
        await using (command.ConfigureAwait(false))
        {
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    private static async Task<T?> QueryOneAsync<T>(NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, T> read, CancellationToken ct, params object?[] parameters)
    {
        var all = await QueryAllAsync(connection, sql, read, ct, parameters).ConfigureAwait(false);
        return all.Count > 0 ? all[0] : default;
    }

    private static async Task<IReadOnlyList<T>> QueryAllAsync<T>(NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, T> read, CancellationToken ct, params object?[] parameters)
    {
        var command = Command(connection, sql, parameters);
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var all = new List<T>();
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    all.Add(read(reader));
                }

                return all;
            }
        }
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object?[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(Parameter(parameter));
        }

        return command;
    }

    private static NpgsqlBatchCommand BatchCommand(string sql, params object?[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(Parameter(parameter));
        }

        return command;
    }

    private static NpgsqlParameter Parameter(object? value) => value switch
    {
        null => new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
        string text => new NpgsqlParameter<string> { TypedValue = text },
        int number => new NpgsqlParameter<int> { TypedValue = number },
        long number => new NpgsqlParameter<long> { TypedValue = number },
        DateTimeOffset time => new NpgsqlParameter<DateTimeOffset> { TypedValue = time },
        string?[] texts => new NpgsqlParameter<string?[]> { TypedValue = texts, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
        _ => throw new ArgumentException($"No parameter mapping for {value.GetType().Name}.", nameof(value)),
    };

    private static Conversation ReadConversation(NpgsqlDataReader r) => new()
    {
        Id = r.GetString(0),
        OwnerId = r.IsDBNull(1) ? null : r.GetString(1),
        AgentId = r.IsDBNull(2) ? null : r.GetString(2),
        IsArchived = r.GetString(3) == "archived",
        MessageCount = r.GetInt32(4),
        ProviderState = r.IsDBNull(5) ? null : r.GetString(5),
        Metadata = ConversationJson.DeserializeMetadata(r.IsDBNull(6) ? null : r.GetString(6)),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(7),
        UpdatedAt = r.GetFieldValue<DateTimeOffset>(8),
    };

    private static ConversationAgent ReadAgent(NpgsqlDataReader r) => new()
    {
        Id = r.GetString(0),
        Name = r.GetString(1),
        Model = r.IsDBNull(2) ? null : r.GetString(2),
        Instructions = r.IsDBNull(3) ? null : r.GetString(3),
        Metadata = ConversationJson.DeserializeMetadata(r.IsDBNull(4) ? null : r.GetString(4)),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(5),
        UpdatedAt = r.GetFieldValue<DateTimeOffset>(6),
    };
}
