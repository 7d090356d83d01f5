//! The chat state machine: who may change a chat's mode or assignment, who may reply, and what
//! a human reply does to the chat. Pure rules here; the parent module applies them under a row
//! lock, records the audit entry and posts the system event.
//!
//! - Admins may make any change.
//! - Agents may change the mode of chats assigned to them or unassigned, take an unassigned
//!   chat, and release their own; chats of other agents are read-only to them (403).
//! - Any human reply (agent or admin) puts the chat in AGENT mode; an unassigned chat is then
//!   assigned to whoever replied. That is the takeover: the bot is silent from then on.

use crate::Error;
use model::Reason;
use model::{Mode, UserId, UserInfo};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatState {
    pub mode: Mode,
    pub assigned: Option<UserId>,
}

fn own_or_free(actor: &UserInfo, state: &ChatState) -> Result<(), Error> {
    match state.assigned {
        _ if actor.is_admin() => Ok(()),
        None => Ok(()),
        Some(id) if id == actor.user_id => Ok(()),
        Some(_) => Err(Error::Forbidden),
    }
}

pub fn may_set_mode(actor: &UserInfo, state: &ChatState) -> Result<(), Error> {
    own_or_free(actor, state)
}

pub fn may_assign(actor: &UserInfo, state: &ChatState, to: Option<UserId>) -> Result<(), Error> {
    if actor.is_admin() {
        return Ok(());
    }
    match (state.assigned, to) {
        // Take an unassigned chat.
        (None, Some(me)) if me == actor.user_id => Ok(()),
        // Release one's own chat.
        (Some(me), None) if me == actor.user_id => Ok(()),
        _ => Err(Error::Forbidden),
    }
}

/// Take: only a free chat, or one already the actor's; another's chat is a conflict.
pub fn may_take(actor: &UserInfo, state: &ChatState) -> Result<(), Error> {
    match state.assigned {
        Some(id) if id != actor.user_id => Err(Error::Conflict(Reason::AlreadyAssigned)),
        _ => Ok(()),
    }
}

pub fn may_reply(actor: &UserInfo, state: &ChatState) -> Result<(), Error> {
    own_or_free(actor, state)
}

/// The state after `actor` replies: AGENT mode, and assigned to the replier if it was free.
pub fn after_human_reply(actor: &UserInfo, state: &ChatState) -> ChatState {
    ChatState {
        mode: Mode::Agent,
        assigned: state.assigned.or(Some(actor.user_id)),
    }
}

/// The state after other software sends through an API key (without `"mode": "keep"`): AGENT
/// mode like a human reply, its assignee unchanged (a key is nobody to assign it to).
pub fn after_api_reply(state: &ChatState) -> ChatState {
    ChatState {
        mode: Mode::Agent,
        assigned: state.assigned,
    }
}

/// The state after an agent takes a chat: theirs, and a bot chat becomes an agent chat.
pub fn after_take(actor: &UserInfo, state: &ChatState) -> ChatState {
    let mode = if state.mode == Mode::Bot {
        Mode::Agent
    } else {
        state.mode
    };
    ChatState {
        mode,
        assigned: Some(actor.user_id),
    }
}

/// "Hand back to bot": the bot answers again and the chat leaves the agent's list.
pub fn after_hand_back(_state: &ChatState) -> ChatState {
    ChatState {
        mode: Mode::Bot,
        assigned: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::Role;

    fn user(id: i64, role: Role) -> UserInfo {
        UserInfo {
            user_id: UserId(id),
            username: format!("u{id}"),
            display_name: format!("U{id}"),
            role,
            active: true,
        }
    }

    const ALL: [Mode; 4] = [Mode::Bot, Mode::Agent, Mode::Paused, Mode::Closed];

    #[test]
    fn admins_may_change_every_chat() {
        let admin = user(1, Role::Admin);
        for mode in ALL {
            for assigned in [None, Some(UserId(1)), Some(UserId(2))] {
                let s = ChatState { mode, assigned };
                assert!(may_set_mode(&admin, &s).is_ok());
                assert!(may_reply(&admin, &s).is_ok());
                assert!(may_assign(&admin, &s, Some(UserId(3))).is_ok());
                assert!(may_assign(&admin, &s, None).is_ok());
            }
        }
    }

    #[test]
    fn agents_may_change_their_own_and_free_chats_but_not_others() {
        let rina = user(2, Role::Agent);
        for mode in ALL {
            assert!(may_set_mode(
                &rina,
                &ChatState {
                    mode,
                    assigned: None
                }
            )
            .is_ok());
            assert!(may_set_mode(
                &rina,
                &ChatState {
                    mode,
                    assigned: Some(UserId(2))
                }
            )
            .is_ok());
            assert!(matches!(
                may_set_mode(
                    &rina,
                    &ChatState {
                        mode,
                        assigned: Some(UserId(3))
                    }
                ),
                Err(Error::Forbidden)
            ));
            assert!(matches!(
                may_reply(
                    &rina,
                    &ChatState {
                        mode,
                        assigned: Some(UserId(3))
                    }
                ),
                Err(Error::Forbidden)
            ));
            assert!(may_reply(
                &rina,
                &ChatState {
                    mode,
                    assigned: None
                }
            )
            .is_ok());
        }
    }

    #[test]
    fn agents_may_take_free_chats_and_release_their_own_only() {
        let rina = user(2, Role::Agent);
        let free = ChatState {
            mode: Mode::Bot,
            assigned: None,
        };
        let hers = ChatState {
            mode: Mode::Agent,
            assigned: Some(UserId(2)),
        };
        let budis = ChatState {
            mode: Mode::Agent,
            assigned: Some(UserId(3)),
        };
        assert!(may_assign(&rina, &free, Some(UserId(2))).is_ok());
        assert!(
            matches!(
                may_assign(&rina, &free, Some(UserId(3))),
                Err(Error::Forbidden)
            ),
            "agents do not assign others"
        );
        assert!(may_assign(&rina, &hers, None).is_ok());
        assert!(
            matches!(
                may_assign(&rina, &budis, Some(UserId(2))),
                Err(Error::Forbidden)
            ),
            "no taking another agent's chat"
        );
        assert!(matches!(
            may_assign(&rina, &budis, None),
            Err(Error::Forbidden)
        ));
    }

    #[test]
    fn a_human_reply_takes_over_bot_chats() {
        let rina = user(2, Role::Agent);
        for mode in ALL {
            let after = after_human_reply(
                &rina,
                &ChatState {
                    mode,
                    assigned: None,
                },
            );
            assert_eq!(
                after,
                ChatState {
                    mode: Mode::Agent,
                    assigned: Some(UserId(2))
                }
            );
        }
        // An admin answering in an agent's chat leaves it with that agent.
        let admin = user(1, Role::Admin);
        assert_eq!(
            after_human_reply(
                &admin,
                &ChatState {
                    mode: Mode::Bot,
                    assigned: Some(UserId(2))
                }
            )
            .assigned,
            Some(UserId(2))
        );
    }

    #[test]
    fn taking_a_bot_chat_makes_it_an_agent_chat_and_hand_back_frees_it() {
        let rina = user(2, Role::Agent);
        assert_eq!(
            after_take(
                &rina,
                &ChatState {
                    mode: Mode::Bot,
                    assigned: None
                }
            ),
            ChatState {
                mode: Mode::Agent,
                assigned: Some(UserId(2))
            }
        );
        assert_eq!(
            after_take(
                &rina,
                &ChatState {
                    mode: Mode::Paused,
                    assigned: None
                }
            )
            .mode,
            Mode::Paused
        );
        assert_eq!(
            after_hand_back(&ChatState {
                mode: Mode::Agent,
                assigned: Some(UserId(2))
            }),
            ChatState {
                mode: Mode::Bot,
                assigned: None
            }
        );
    }
}
