//! The requests encodeRequests accepts (index.d.ts `Request`).

use serde::Deserialize;

use crate::addr::{push_addr, push_get_addr_dump, AddrRequest};
use crate::encode::Result;
use crate::fault::EncodeError;
use crate::link::kinds::NewLink;
use crate::link::{
    push_del_link, push_get_link, push_get_link_dump, push_new_link, push_set_link,
    push_set_link_ns, SetLink,
};
use crate::neigh::push_get_neigh_dump;
use crate::nsid::{push_get_nsid, push_get_nsid_dump, push_new_nsid};
use crate::route::{push_get_route_dump, push_route, RouteRequest};

/// A request encodeRequests can encode.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "camelCase", deny_unknown_fields)]
pub enum Request {
    #[serde(rename_all = "camelCase")]
    GetLinkDump {
        seq: u32,
        #[serde(default)]
        #[cfg_attr(test, ts(as = "Option<u32>", optional))]
        pid: u32,
        #[cfg_attr(test, ts(optional))]
        ext_mask: Option<u32>,
        /// Read the namespace the asking one knows by this nsid (IFLA_TARGET_NETNSID).
        #[cfg_attr(test, ts(optional))]
        target_nsid: Option<i32>,
    },
    #[serde(rename_all = "camelCase")]
    SetLinkNs {
        seq: u32,
        #[serde(default)]
        #[cfg_attr(test, ts(as = "Option<u32>", optional))]
        pid: u32,
        index: u32,
        ns_fd: u32,
    },
    NewLink(NewLink),
    SetLink(SetLink),
    #[serde(rename_all = "camelCase")]
    DelLink {
        seq: u32,
        #[serde(default)]
        #[cfg_attr(test, ts(as = "Option<u32>", optional))]
        pid: u32,
        #[cfg_attr(test, ts(optional))]
        index: Option<u32>,
        #[cfg_attr(test, ts(optional))]
        group: Option<u32>,
        /// The link is in the namespace the asking one knows by this nsid (IFLA_TARGET_NETNSID).
        #[cfg_attr(test, ts(optional))]
        target_nsid: Option<i32>,
    },
    #[serde(rename_all = "camelCase")]
    GetLink {
        seq: u32,
        #[serde(default)]
        #[cfg_attr(test, ts(as = "Option<u32>", optional))]
        pid: u32,
        #[cfg_attr(test, ts(optional))]
        index: Option<u32>,
        #[cfg_attr(test, ts(optional))]
        name: Option<String>,
        #[cfg_attr(test, ts(optional))]
        ext_mask: Option<u32>,
        /// Look in the namespace the asking one knows by this nsid (IFLA_TARGET_NETNSID).
        #[cfg_attr(test, ts(optional))]
        target_nsid: Option<i32>,
    },
    NewAddr(AddrRequest),
    DelAddr(AddrRequest),
    #[serde(rename_all = "camelCase")]
    GetAddrDump {
        seq: u32,
        #[serde(default)]
        #[cfg_attr(test, ts(as = "Option<u32>", optional))]
        pid: u32,
        #[serde(default)]
        #[cfg_attr(test, ts(as = "Option<u8>", optional))]
        family: u8,
        /// Read the namespace the asking one knows by this nsid (IFA_TARGET_NETNSID).
        #[cfg_attr(test, ts(optional))]
        target_nsid: Option<i32>,
    },
    NewRoute(RouteRequest),
    DelRoute(RouteRequest),
    GetRouteDump {
        seq: u32,
        #[serde(default)]
        #[cfg_attr(test, ts(as = "Option<u32>", optional))]
        pid: u32,
        #[serde(default)]
        #[cfg_attr(test, ts(as = "Option<u8>", optional))]
        family: u8,
        #[cfg_attr(test, ts(optional))]
        table: Option<u32>,
        /// Only routes of this origin (rtm_protocol, e.g. 3 RTPROT_BOOT): the kernel filters on a
        /// socket with NETLINK_GET_STRICT_CHK set, and ignores the field otherwise.
        #[cfg_attr(test, ts(optional))]
        protocol: Option<u8>,
    },
    GetNeighDump {
        seq: u32,
        #[serde(default)]
        #[cfg_attr(test, ts(as = "Option<u32>", optional))]
        pid: u32,
    },
    #[serde(rename_all = "camelCase")]
    NewNsid {
        seq: u32,
        #[serde(default)]
        #[cfg_attr(test, ts(as = "Option<u32>", optional))]
        pid: u32,
        ns_fd: u32,
        #[cfg_attr(test, ts(optional))]
        nsid: Option<i32>,
    },
    #[serde(rename_all = "camelCase")]
    GetNsid {
        seq: u32,
        #[serde(default)]
        #[cfg_attr(test, ts(as = "Option<u32>", optional))]
        pid: u32,
        ns_fd: u32,
    },
    /// Every nsid the namespace known as `targetNsid` gives, each with the
    /// asking namespace's id for the same namespace (`ip netns list-id target-nsid N`).
    #[serde(rename_all = "camelCase")]
    GetNsidDump {
        seq: u32,
        #[serde(default)]
        #[cfg_attr(test, ts(as = "Option<u32>", optional))]
        pid: u32,
        target_nsid: i32,
    },
}

/// Each encoder this calls is `#[inline(never)]`, so that a first request compiles its
/// own encoder only, not every kind's (as message::decode_frame's decoders).
fn push(buf: &mut Vec<u8>, request: &Request) -> Result<()> {
    match request {
        &Request::GetLinkDump {
            seq,
            pid,
            ext_mask,
            target_nsid,
        } => push_get_link_dump(buf, seq, pid, ext_mask, target_nsid),
        &Request::SetLinkNs {
            seq,
            pid,
            index,
            ns_fd,
        } => push_set_link_ns(buf, seq, pid, index, ns_fd),
        Request::NewLink(r) => push_new_link(buf, r),
        Request::SetLink(r) => push_set_link(buf, r),
        &Request::DelLink {
            seq,
            pid,
            index,
            group,
            target_nsid,
        } => push_del_link(buf, seq, pid, index, group, target_nsid),
        Request::GetLink {
            seq,
            pid,
            index,
            name,
            ext_mask,
            target_nsid,
        } => push_get_link(
            buf,
            *seq,
            *pid,
            *index,
            name.as_deref(),
            *ext_mask,
            *target_nsid,
        ),
        Request::NewAddr(r) => push_addr(buf, false, r),
        Request::DelAddr(r) => push_addr(buf, true, r),
        &Request::GetAddrDump {
            seq,
            pid,
            family,
            target_nsid,
        } => push_get_addr_dump(buf, seq, pid, family, target_nsid),
        Request::NewRoute(r) => push_route(buf, false, r),
        Request::DelRoute(r) => push_route(buf, true, r),
        &Request::GetRouteDump {
            seq,
            pid,
            family,
            table,
            protocol,
        } => push_get_route_dump(buf, seq, pid, family, table, protocol),
        &Request::GetNeighDump { seq, pid } => push_get_neigh_dump(buf, seq, pid),
        &Request::NewNsid {
            seq,
            pid,
            ns_fd,
            nsid,
        } => push_new_nsid(buf, seq, pid, ns_fd, nsid),
        &Request::GetNsid { seq, pid, ns_fd } => push_get_nsid(buf, seq, pid, ns_fd),
        &Request::GetNsidDump {
            seq,
            pid,
            target_nsid,
        } => push_get_nsid_dump(buf, seq, pid, target_nsid),
    }
}

/// All requests in one buffer, ready for a single sendmsg(). An error's path
/// names the request and its field, e.g. `requests[2].peer.mac`.
pub fn encode_requests(requests: &[Request]) -> std::result::Result<Vec<u8>, EncodeError> {
    let mut buf = Vec::new();
    for (i, request) in requests.iter().enumerate() {
        push(&mut buf, request).map_err(|e| {
            let path = match e.path.as_str() {
                "" => format!("requests[{i}]"),
                field => format!("requests[{i}].{field}"),
            };
            EncodeError::new(path, e.what)
        })?;
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The path of the error encoding `request` (second in the batch) gives.
    fn error_path(request: serde_json::Value) -> String {
        let requests: Vec<Request> =
            serde_json::from_value(json!([{ "type": "getLinkDump", "seq": 1 }, request])).unwrap();
        let error = encode_requests(&requests).unwrap_err();
        format!("{}: {}", error.path, error.what)
    }

    #[test]
    fn invalid_requests_name_their_field() {
        let cases = [
            (
                json!({ "type": "newLink", "seq": 1, "name": "v0", "kind": "bridge", "mac": "02:00:00:00:00" }),
                "requests[1].mac: ",
            ),
            (
                json!({ "type": "newLink", "seq": 1, "name": "v0", "kind": "veth", "veth": { "peer": { "name": "v1", "mac": "zz:00:00:00:00:01" } } }),
                "requests[1].veth.peer.mac: ",
            ),
            (
                json!({ "type": "newLink", "seq": 1, "name": "sixteen-bytes-xx", "kind": "ifb" }),
                "requests[1].name: ",
            ),
            (
                json!({ "type": "newLink", "seq": 1, "name": "v0", "kind": "veth", "veth": { "peer": { "name": "a/b" } } }),
                "requests[1].veth.peer.name: ",
            ),
            (
                json!({ "type": "newLink", "seq": 1, "name": "x", "kind": "vxlan", "vxlan": { "id": 16777216 } }),
                "requests[1].vxlan.id: ",
            ),
            (
                json!({ "type": "newLink", "seq": 1, "name": "x", "kind": "vxlan", "vxlan": { "id": 1, "group": "10.0.0.1" } }),
                "requests[1].vxlan.group: ",
            ),
            (
                json!({ "type": "newLink", "seq": 1, "name": "x", "kind": "vxlan", "vxlan": { "id": 1, "local": "10.0.0.1", "remote": "2001:db8::1" } }),
                "requests[1].vxlan.remote: ",
            ),
            (
                json!({ "type": "newLink", "seq": 1, "name": "x", "kind": "vxlan" }),
                "requests[1].vxlan: ",
            ),
            (
                json!({ "type": "newLink", "seq": 1, "name": "x", "kind": "gretap", "gretap": { "local": "2001:db8::1" } }),
                "requests[1].gretap.local: ",
            ),
            (
                json!({ "type": "newLink", "seq": 1, "name": "x", "kind": "bridge", "veth": { "peer": { "name": "y" } } }),
                "requests[1].veth: ",
            ),
            (
                json!({ "type": "newLink", "seq": 1, "name": "x", "kind": "macvlan", "parentIndex": 0, "macvlan": {} }),
                "requests[1].parentIndex: ",
            ),
            (
                json!({ "type": "setLink", "seq": 1, "index": 0, "up": true }),
                "requests[1].index: ",
            ),
            (
                json!({ "type": "setLink", "seq": 1, "index": 2, "masterIndex": 4294967295u32 }),
                "requests[1].masterIndex: ",
            ),
            (
                json!({ "type": "delLink", "seq": 1 }),
                "requests[1].index: ",
            ),
            (
                json!({ "type": "delLink", "seq": 1, "index": 0 }),
                "requests[1].index: ",
            ),
            (
                json!({ "type": "getLink", "seq": 1 }),
                "requests[1].index: ",
            ),
            (
                json!({ "type": "newAddr", "seq": 1, "index": 2, "address": "10.0.0.256", "prefixLen": 24 }),
                "requests[1].address: ",
            ),
            (
                json!({ "type": "newAddr", "seq": 1, "index": 2, "address": "10.0.0.1", "prefixLen": 33 }),
                "requests[1].prefixLen: ",
            ),
            (
                json!({ "type": "newAddr", "seq": 1, "index": 2, "address": "2001:db8::1", "prefixLen": 129 }),
                "requests[1].prefixLen: ",
            ),
            (
                json!({ "type": "newAddr", "seq": 1, "index": 0, "address": "10.0.0.1", "prefixLen": 24 }),
                "requests[1].index: ",
            ),
            (
                json!({ "type": "delAddr", "seq": 1, "index": 2, "address": "2001:db8::1", "prefixLen": 64, "broadcast": "10.0.0.255" }),
                "requests[1].broadcast: ",
            ),
            (
                json!({ "type": "newRoute", "seq": 1, "family": 2, "dst": "10.9.0.0", "dstLen": 33 }),
                "requests[1].dstLen: ",
            ),
            (
                json!({ "type": "newRoute", "seq": 1, "family": 2, "gateway": "2001:db8::1" }),
                "requests[1].gateway: ",
            ),
            (
                json!({ "type": "newRoute", "seq": 1, "family": 7 }),
                "requests[1].family: ",
            ),
            (
                json!({ "type": "delRoute", "seq": 1, "family": 10, "oifIndex": 0 }),
                "requests[1].oifIndex: ",
            ),
        ];
        for (request, path) in cases {
            let error = error_path(request.clone());
            assert!(error.starts_with(path), "{request} gave {error}");
        }
    }

    #[test]
    fn unknown_fields_are_refused() {
        let parsed: std::result::Result<Vec<Request>, _> = serde_json::from_value(
            json!([{ "type": "newLink", "seq": 1, "name": "x", "kind": "ifb", "colour": "red" }]),
        );
        assert!(parsed.unwrap_err().to_string().contains("colour"));
    }

    #[test]
    fn set_link_combines_flags_and_keeps_iproute2_order() {
        let requests: Vec<Request> = serde_json::from_value(json!([{ "type": "setLink", "seq": 1, "index": 4,
            "up": true, "promisc": true, "name": "nlv9", "alias": "a", "mtu": 1400, "mac": "02:00:00:00:00:07", "group": 3, "masterIndex": 2 }]))
        .unwrap();
        // Captured from `ip link set dev nlv0 up promisc on name nlv9 alias a mtu 1400 address 02:00:00:00:00:07 group 3 master nlbr0`
        // except that iproute2 puts IFLA_IFALIAS where the command line does (first there; after IFLA_MASTER here).
        let bytes = encode_requests(&requests).unwrap();
        assert_eq!(bytes.len(), 0x58);
        assert_eq!(&bytes[24..32], [1, 1, 0, 0, 1, 1, 0, 0]);
        let types: Vec<u16> = crate::attr::parse(&bytes[32..], 32)
            .unwrap()
            .iter()
            .map(|a| a.id())
            .collect();
        assert_eq!(types, [4, 1, 27, 10, 20, 3]);
    }
}
