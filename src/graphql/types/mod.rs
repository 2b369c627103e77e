//! Output types of the public contract: newtypes over store records.

pub mod category;
pub mod collection;
pub mod localised;
pub mod node;

pub use category::Category;
pub use collection::Collection;
pub use localised::{Localised, TextDirection};
pub use node::Node;
