//! The requests encodeRequests accepts (index.d.ts `Request`).

use serde::Deserialize;

use crate::fault::EncodeError;
use crate::link::{push_get_link_dump, push_set_link_ns};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", deny_unknown_fields)]
pub enum Request {
    #[serde(rename_all = "camelCase")]
    GetLinkDump {
        seq: u32,
        #[serde(default)]
        pid: u32,
        ext_mask: Option<u32>,
    },
    #[serde(rename_all = "camelCase")]
    SetLinkNs {
        seq: u32,
        #[serde(default)]
        pid: u32,
        index: u32,
        ns_fd: u32,
    },
}

/// All requests in one buffer, ready for a single sendmsg().
pub fn encode_requests(requests: &[Request]) -> Result<Vec<u8>, EncodeError> {
    let mut buf = Vec::new();
    for (i, request) in requests.iter().enumerate() {
        match *request {
            Request::GetLinkDump { seq, pid, ext_mask } => {
                push_get_link_dump(&mut buf, seq, pid, ext_mask)
            }
            Request::SetLinkNs {
                seq,
                pid,
                index,
                ns_fd,
            } => push_set_link_ns(&mut buf, seq, pid, index, ns_fd),
        }
        .map_err(|e| EncodeError::new(format!("requests[{i}]"), e))?;
    }
    Ok(buf)
}
