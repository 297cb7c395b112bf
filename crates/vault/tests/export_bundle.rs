//! An export bundle through a sealed file and back, as the app and the server will use it.

use praatplaat_domain::export::ExportBundle;
use praatplaat_domain::model::{Company, Record};
use praatplaat_domain::protocol::Change;
use praatplaat_vault::{open, seal, VaultError};
use uuid::Uuid;

#[test]
fn a_sealed_bundle_opens_into_the_same_pushes() {
    let change = Change {
        seq: 4,
        record: Record::Company(Company {
            id: Uuid::from_u128(1),
            name: "Van Dijk Metaal".into(),
            ..Company::default()
        }),
    };
    let bundle = ExportBundle::new(Uuid::from_u128(9), 1, vec![change], &[vec![0xff, 0xd8]]);
    let file = seal(
        &bundle.to_json().unwrap(),
        "lange zin",
        [3; 16],
        [4; 12],
        1_000,
    )
    .unwrap();
    let back = ExportBundle::from_json(&open(&file, "lange zin").unwrap()).unwrap();
    assert_eq!(back, bundle);
    assert_eq!(back.push_requests(), bundle.push_requests());
    assert_eq!(back.photos[0].bytes().unwrap(), [0xff, 0xd8]);
    assert_eq!(
        open(&file, "andere zin"),
        Err(VaultError::WrongPassphraseOrDamaged)
    );
}
