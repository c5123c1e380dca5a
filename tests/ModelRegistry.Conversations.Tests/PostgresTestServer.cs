using Npgsql;

namespace ModelRegistry.Conversations.Tests;

/// <summary>The real PostgreSQL the tests run against (<c>MODELREGISTRY_POSTGRES</c>, set by build/test.sh); each test fixture gets a database of its own.</summary>
internal static class PostgresTestServer
{
    private const string Variable = "MODELREGISTRY_POSTGRES";

    /// <summary>The server's connection string; fails the test (never skips it) when the variable is unset.</summary>
    public static string ConnectionString
    {
        get
        {
            var value = Environment.GetEnvironmentVariable(Variable);
            if (string.IsNullOrWhiteSpace(value))
            {
                Assert.Fail(
                    $"{Variable} is not set, so there is no PostgreSQL to test against. Run ./build/test.sh (it installs and starts a throwaway cluster), " +
                    "or start one yourself: initdb -D /tmp/pg -A trust -U postgres && pg_ctl -D /tmp/pg -o \"-c listen_addresses=127.0.0.1 -p 5440\" start && " +
                    $"createdb -h 127.0.0.1 -p 5440 -U postgres modelregistry && export {Variable}=\"Host=127.0.0.1;Port=5440;Username=postgres;Database=modelregistry\"");
            }

            return value!;
        }
    }

    /// <summary>Creates an empty database of the caller's own and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var name = $"mrtest_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name, Pooling = false }.ConnectionString;
    }

    /// <summary>Runs a query in the database and returns the first column of every row, as text.</summary>
    public static async Task<List<string?>> QueryAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string?>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.IsDBNull(0) ? null : Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        }

        return rows;
    }
}
