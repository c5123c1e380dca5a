namespace ModelRegistry.Conversations.Tests;

/// <summary>The conversation tests on the default, in-memory store.</summary>
[TestFixture]
public sealed class InMemoryConversationTests : ConversationTests
{
    private protected override void UseStore(ConversationOptions options)
    {
    }
}
