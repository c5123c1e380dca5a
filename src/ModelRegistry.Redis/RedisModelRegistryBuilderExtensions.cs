using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelRegistry.Redis;
using ModelRegistry.Redis.Internal;
using StackExchange.Redis;

namespace ModelRegistry;

/// <summary>Keeps the model registry's rate limits in Redis, shared by every process that uses it.</summary>
public static class RedisModelRegistryBuilderExtensions
{
    /// <summary>
    /// Keeps the token buckets behind every entry's <c>limits:requests_per_minute</c> and <c>limits:tokens_per_minute</c>
    /// in Redis instead of process memory, so all processes using the same Redis and key prefix share one limit per entry.
    /// The connection is made on the first limited call, never at start-up; if Redis is unreachable then, or later, calls
    /// pass or are refused as <see cref="RedisRateLimitOptions.FailOpen"/> says. Disposing the service provider closes it.
    /// </summary>
    /// <param name="builder">The registry builder from <c>AddModelRegistry()</c>.</param>
    /// <param name="configuration">A StackExchange.Redis configuration string, e.g. <c>redis.internal:6379,password=...,ssl=true</c>.</param>
    /// <param name="configure">Sets options; they are validated here, once.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ModelRegistryException">The configuration string or an option is invalid; the message says which.</exception>
    public static ModelRegistryBuilder UseRedisRateLimits(this ModelRegistryBuilder builder, string configuration, Action<RedisRateLimitOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = CreateOptions(configure);
        var redis = ParseConfiguration(configuration, options);
        return Use(builder, services => new RedisRateLimitStore(
            async () => await ConnectionMultiplexer.ConnectAsync(redis.Clone()).ConfigureAwait(false),
            ownsConnection: true,
            options,
            CreateLogger(services),
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            boundWaits: true));
    }

    /// <summary>
    /// Keeps the registry's rate limits in Redis through a multiplexer the application manages (and disposes), for
    /// example one it shares with its cache. The factory is called on the first limited call, not at start-up.
    /// Its own timeouts and backlog policy apply: prefer <c>AbortOnConnectFail = false</c> and
    /// <c>BacklogPolicy.FailFast</c>, so calls do not wait for a Redis that is down.
    /// </summary>
    /// <param name="builder">The registry builder from <c>AddModelRegistry()</c>.</param>
    /// <param name="connection">Returns the multiplexer to use.</param>
    /// <param name="configure">Sets options (the timeouts are the multiplexer's and are ignored); validated here, once.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ModelRegistryException">An option is invalid; the message says which.</exception>
    public static ModelRegistryBuilder UseRedisRateLimits(
        this ModelRegistryBuilder builder,
        Func<IServiceProvider, IConnectionMultiplexer> connection,
        Action<RedisRateLimitOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(connection);
        var options = CreateOptions(configure);
        return Use(builder, services => new RedisRateLimitStore(
            () => Task.Run(() => connection(services) ?? throw new ModelRegistryException(
                "The connection factory given to UseRedisRateLimits returned null; return the application's IConnectionMultiplexer.")),
            ownsConnection: false,
            options,
            CreateLogger(services),
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            boundWaits: false));
    }

    private static ModelRegistryBuilder Use(ModelRegistryBuilder builder, Func<IServiceProvider, RedisRateLimitStore> create)
    {
        builder.Services.RemoveAll<IRateLimitStore>();
        builder.Services.AddSingleton<IRateLimitStore>(create);
        return builder;
    }

    private static ILogger CreateLogger(IServiceProvider services) =>
        services.GetService<ILoggerFactory>()?.CreateLogger("ModelRegistry.Redis") ?? NullLogger.Instance;

    private static RedisRateLimitOptions CreateOptions(Action<RedisRateLimitOptions>? configure)
    {
        var options = new RedisRateLimitOptions();
        configure?.Invoke(options);
        if (options.KeyPrefix is null)
        {
            throw new ModelRegistryException("UseRedisRateLimits: RedisRateLimitOptions.KeyPrefix is null; set a prefix such as \"myapp:ratelimit:\" (or an empty string for none).");
        }

        CheckTimeout(options.ConnectTimeout, nameof(RedisRateLimitOptions.ConnectTimeout));
        CheckTimeout(options.OperationTimeout, nameof(RedisRateLimitOptions.OperationTimeout));
        return options;
    }

    private static void CheckTimeout(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero || value.TotalMilliseconds > int.MaxValue)
        {
            throw new ModelRegistryException($"UseRedisRateLimits: RedisRateLimitOptions.{name} must be above zero and at most {int.MaxValue} ms, but is {value}.");
        }
    }

    /// <summary>Parses the string without I/O. Its text may hold a password, so no message repeats it.</summary>
    private static ConfigurationOptions ParseConfiguration(string configuration, RedisRateLimitOptions options)
    {
        if (string.IsNullOrWhiteSpace(configuration))
        {
            throw new ModelRegistryException("UseRedisRateLimits: the Redis configuration string is empty; pass the server as \"host:port\", e.g. \"redis.internal:6379\".");
        }

        ConfigurationOptions redis;
        try
        {
            redis = ConfigurationOptions.Parse(configuration);
        }
        catch (ArgumentException)
        {
            throw new ModelRegistryException(
                "UseRedisRateLimits: the Redis configuration string is not valid StackExchange.Redis configuration (\"host:port,password=...,ssl=true\"); check its options and their values.");
        }

        if (redis.EndPoints.Count == 0)
        {
            throw new ModelRegistryException("UseRedisRateLimits: the Redis configuration string names no server; start it with \"host:port\", e.g. \"redis.internal:6379\".");
        }

        // Never block or throw at start-up, keep reconnecting in the background, and fail a command at once while
        // disconnected (instead of queueing it) so FailOpen/FailClosed decides without waiting.
        // One connect cycle: the library's default of three made a Redis that accepts connections and never answers hold
        // the first call for three connect timeouts (15 s for the documented 5 s). The store also bounds its waits itself.
        redis.AbortOnConnectFail = false;
        redis.ConnectRetry = 1;
        redis.BacklogPolicy = BacklogPolicy.FailFast;
        redis.ConnectTimeout = (int)options.ConnectTimeout.TotalMilliseconds;
        redis.AsyncTimeout = (int)options.OperationTimeout.TotalMilliseconds;
        redis.SyncTimeout = (int)options.OperationTimeout.TotalMilliseconds;
        return redis;
    }
}
