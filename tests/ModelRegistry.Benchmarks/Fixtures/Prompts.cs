using Microsoft.Extensions.AI;

namespace ModelRegistry.Benchmarks.Fixtures;

/// <summary>The conversations the over-HTTP benchmarks send: a system prompt and one user turn, with options.</summary>
internal static class Prompts
{
    /// <summary>For the non-streaming calls (answered by a 400-token paragraph).</summary>
    public static readonly ChatMessage[] Paragraph =
    [
        new(ChatRole.System, "You are a concise assistant."),
        new(ChatRole.User, "Describe the river in one paragraph."),
    ];

    public static readonly ChatOptions ParagraphOptions = new() { MaxOutputTokens = 1024, Temperature = 0.2f };

    /// <summary>For the streaming calls (answered by 1,200 streamed tokens).</summary>
    public static readonly ChatMessage[] Story =
    [
        new(ChatRole.System, "You are a talkative assistant."),
        new(ChatRole.User, "Tell me a long story about the river."),
    ];

    public static readonly ChatOptions StoryOptions = new() { MaxOutputTokens = 2048, Temperature = 0.7f };
}
