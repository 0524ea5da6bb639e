//! The link family: RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK, struct ifinfomsg
//! and IFLA_* attributes. `consts` is its numbers, `decode` its messages,
//! `request` and `attrs` the requests, `kinds` one file per link kind.

mod attrs;
pub mod consts;
pub mod decode;
pub mod kinds;
mod request;

pub use consts::{RTM_DELLINK, RTM_NEWLINK};
pub use decode::{decode_link, decode_link_head, Link, LinkHead};
pub use request::{
    push_del_link, push_get_link, push_get_link_dump, push_new_link, push_set_link,
    push_set_link_ns, SetLink,
};
