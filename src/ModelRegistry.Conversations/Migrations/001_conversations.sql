-- ModelRegistry.Conversations, migration 001: seed 001's agents, conversations and conversation entries.
-- Applied once by the store (under an advisory lock); every statement is idempotent as well.

CREATE TABLE IF NOT EXISTS agents (
    id            text        PRIMARY KEY,
    name          text        NOT NULL,
    model         text,
    instructions  text,
    metadata      jsonb,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS conversations (
    id             text        PRIMARY KEY,
    owner_id       text,
    agent_id       text        REFERENCES agents (id) ON DELETE SET NULL,
    status         text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
    -- the version appends check: how many entries the conversation holds
    message_count  integer     NOT NULL DEFAULT 0 CHECK (message_count >= 0),
    -- entry name -> server-side conversation of a stateful provider, valid through message N
    provider_state jsonb,
    metadata       jsonb,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    archived_at    timestamptz
);

CREATE TABLE IF NOT EXISTS conversation_entries (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id text        NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    position        integer     NOT NULL CHECK (position >= 0),
    type            text        NOT NULL,
    role            text        NOT NULL,
    content         text,
    content_json    jsonb       NOT NULL,
    token_count     integer,
    tool_name       text,
    tool_call_id    text,
    parent_entry_id bigint      REFERENCES conversation_entries (id) ON DELETE SET NULL,
    metadata        jsonb,
    created_at      timestamptz NOT NULL,
    UNIQUE (conversation_id, position)
);

CREATE INDEX IF NOT EXISTS conversations_agent_id_idx ON conversations (agent_id);
CREATE INDEX IF NOT EXISTS conversations_owner_id_idx ON conversations (owner_id, created_at DESC);
CREATE INDEX IF NOT EXISTS conversations_created_at_idx ON conversations (created_at);
CREATE INDEX IF NOT EXISTS conversation_entries_created_at_idx ON conversation_entries (created_at);
CREATE INDEX IF NOT EXISTS conversation_entries_type_idx ON conversation_entries (type);
