using System.Diagnostics.CodeAnalysis;

// RS0026 (PublicApiAnalyzers) warns against more than one overload with optional parameters, because adding such an
// overload to a shipped API can make existing calls ambiguous. These pairs are in the first API (nothing has shipped)
// and differ in a required parameter's type, so no call can be ambiguous between them. An overload added later is still
// reported: these suppressions name the members, not the types.
[assembly: SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
    Justification = "First API; the overloads differ in a required parameter (prompts or conversations).",
    Scope = "member", Target = "~M:ModelRegistry.ChatBatch.RunBatchAsync(Microsoft.Extensions.AI.IChatClient,System.Collections.Generic.IEnumerable{System.String},ModelRegistry.BatchOptions,System.IProgress{ModelRegistry.BatchProgress},System.Threading.CancellationToken)")]
[assembly: SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
    Justification = "First API; the overloads differ in a required parameter (prompts or conversations).",
    Scope = "member", Target = "~M:ModelRegistry.ChatBatch.RunBatchAsync(Microsoft.Extensions.AI.IChatClient,System.Collections.Generic.IEnumerable{System.Collections.Generic.IList{Microsoft.Extensions.AI.ChatMessage}},ModelRegistry.BatchOptions,System.IProgress{ModelRegistry.BatchProgress},System.Threading.CancellationToken)")]
[assembly: SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
    Justification = "First API; the generic overload has a required decoder the other lacks.",
    Scope = "member", Target = "~M:ModelRegistry.Providers.ProviderTransport.SendAsync(ModelRegistry.Providers.ProviderRequest,System.Threading.CancellationToken)")]
[assembly: SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
    Justification = "First API; the generic overload has a required decoder the other lacks.",
    Scope = "member", Target = "~M:ModelRegistry.Providers.ProviderTransport.SendAsync``1(ModelRegistry.Providers.ProviderRequest,System.Func{ModelRegistry.Providers.ProviderResponse,``0},System.Threading.CancellationToken)")]
