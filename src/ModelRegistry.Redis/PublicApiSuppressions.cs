using System.Diagnostics.CodeAnalysis;

// RS0026 (PublicApiAnalyzers) warns against more than one overload with optional parameters, because adding such an
// overload to a shipped API can make existing calls ambiguous. This pair is in the first API (nothing has shipped) and
// differs in a required parameter's type, so no call can be ambiguous between them. An overload added later is still
// reported: these suppressions name the members, not the type.
[assembly: SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
    Justification = "First API; the overloads differ in a required parameter (a configuration string or a connection factory).",
    Scope = "member", Target = "~M:ModelRegistry.RedisModelRegistryBuilderExtensions.UseRedisRateLimits(ModelRegistry.ModelRegistryBuilder,System.String,System.Action{ModelRegistry.Redis.RedisRateLimitOptions})~ModelRegistry.ModelRegistryBuilder")]
[assembly: SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
    Justification = "First API; the overloads differ in a required parameter (a configuration string or a connection factory).",
    Scope = "member", Target = "~M:ModelRegistry.RedisModelRegistryBuilderExtensions.UseRedisRateLimits(ModelRegistry.ModelRegistryBuilder,System.Func{System.IServiceProvider,StackExchange.Redis.IConnectionMultiplexer},System.Action{ModelRegistry.Redis.RedisRateLimitOptions})~ModelRegistry.ModelRegistryBuilder")]
