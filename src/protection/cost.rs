//! Static analysis of an operation before it runs: depth, aliases, directives and cost.
//!
//! **Cost** is the most objects a response can hold: every field whose type is an object
//! (or interface, or union) costs 1, scalars and enums cost 0; a connection multiplies the
//! cost of its `edges`/`nodes` by `first`/`last` (default 20); other lists multiply by their
//! slicing argument (`first`, or the number of `ids` asked for) or the size the schema
//! assumes for them, both stated beside the field by `@listSize` (IBM GraphQL Cost
//! Directives; see `graphql::cost_directives`). `__typename` is free; `__schema` and
//! `__type` cost 1 each. A type marked `@cost(weight: "0")` is computed in memory: its
//! objects cost 0, and a list of them 1. A field's `@maxItems` bounds its slicing argument.
//! The actual cost, known after execution, is the number of objects the response did hold.
//!
//! The type information and the annotations come from the schema's own SDL, read once at
//! start-up, so the model cannot drift from the schema.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use async_graphql::Variables;
use async_graphql::parser::types::{
    BaseType, ConstDirective, DocumentOperations, ExecutableDocument, Field, FieldDefinition,
    OperationDefinition, OperationType, Selection, SelectionSet, Type, TypeKind, TypeSystemDefinition,
};
use async_graphql::{Name, Positioned, Value};

/// Default page size of a connection without `first`/`last`.
const DEFAULT_PAGE: u64 = crate::config::defaults::PAGE;
/// Size assumed for a list whose `@listSize` states none.
const UNSTATED_LIST_SIZE: u64 = crate::graphql::cost_directives::UNSTATED_LIST_SIZE;

/// What the analysis needs to know of one field of the schema.
#[derive(Clone, Debug)]
struct FieldType {
    /// Named type, lists unwrapped.
    named: String,
    list: bool,
    /// `@listSize(assumedSize:)`: items assumed when no slicing argument is given.
    assumed_size: Option<u64>,
    /// `@listSize(slicingArguments:)`: the arguments that say how many items there are.
    slicing: Vec<String>,
    /// `@maxItems(value:)`: the most items the field returns.
    maximum: Option<u64>,
}

impl FieldType {
    fn of(field: &FieldDefinition) -> Self {
        let (named, list) = unwrap_type(&field.ty.node);
        let mut field_type = Self { named, list, assumed_size: None, slicing: Vec::new(), maximum: None };
        for directive in &field.directives {
            let directive = &directive.node;
            match directive.name.node.as_str() {
                "listSize" => {
                    field_type.assumed_size = directive_argument(directive, "assumedSize").and_then(count);
                    if let Some(Value::List(names)) = directive_argument(directive, "slicingArguments") {
                        field_type.slicing = names
                            .iter()
                            .filter_map(|name| match name {
                                Value::String(name) => Some(name.clone()),
                                _ => None,
                            })
                            .collect();
                    }
                }
                "maxItems" => field_type.maximum = directive_argument(directive, "value").and_then(count),
                _ => {}
            }
        }
        field_type
    }
}

/// The value of the argument `name` of an SDL directive.
fn directive_argument<'d>(directive: &'d ConstDirective, name: &str) -> Option<&'d Value> {
    directive.arguments.iter().find(|(argument, _)| argument.node == name).map(|(_, value)| &value.node)
}

/// A non-negative integer (or a number in a string, as `@cost(weight:)` is written).
fn count(value: &Value) -> Option<u64> {
    match value {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => text.parse().ok(),
        _ => None,
    }
}

/// `@cost(weight:)` of a type definition, when it has one.
fn type_weight(directives: &[Positioned<ConstDirective>]) -> Option<u64> {
    directives
        .iter()
        .find(|directive| directive.node.name.node == "cost")
        .and_then(|directive| directive_argument(&directive.node, "weight"))
        .and_then(count)
}

/// The schema's composite types and the types of their fields.
#[derive(Clone, Debug, Default)]
pub struct CostModel {
    /// Object and interface types: field name → field type.
    fields: HashMap<String, HashMap<String, FieldType>>,
    /// Object, interface and union type names.
    composite: std::collections::HashSet<String>,
    /// Connection types (named `…Connection`, with `edges` or `nodes`).
    connections: std::collections::HashSet<String>,
    /// Types whose objects do not cost 1 (`@cost(weight:)`).
    weights: HashMap<String, u64>,
    /// Largest `first`/`last` of a connection (the server's `--max-page`).
    max_page: u64,
}

fn unwrap_type(ty: &Type) -> (String, bool) {
    match &ty.base {
        BaseType::Named(name) => (name.to_string(), false),
        BaseType::List(inner) => (unwrap_type(inner).0, true),
    }
}

impl CostModel {
    /// Reads the model from the schema's SDL.
    pub fn from_sdl(sdl: &str) -> Result<Self, String> {
        let document = async_graphql::parser::parse_schema(sdl).map_err(|error| error.to_string())?;
        let mut model = Self { max_page: crate::store::sql::page::MAX_PAGE_SIZE, ..Self::default() };
        for definition in document.definitions {
            let TypeSystemDefinition::Type(definition) = definition else { continue };
            let name = definition.node.name.node.to_string();
            if let Some(weight) = type_weight(&definition.node.directives) {
                model.weights.insert(name.clone(), weight);
            }
            let fields = match &definition.node.kind {
                TypeKind::Object(object) => &object.fields,
                TypeKind::Interface(interface) => &interface.fields,
                TypeKind::Union(_) => {
                    model.composite.insert(name);
                    continue;
                }
                _ => continue,
            };
            let fields: HashMap<String, FieldType> = fields
                .iter()
                .map(|field| (field.node.name.node.to_string(), FieldType::of(&field.node)))
                .collect();
            if name.ends_with("Connection") && (fields.contains_key("edges") || fields.contains_key("nodes"))
            {
                model.connections.insert(name.clone());
            }
            model.composite.insert(name.clone());
            model.fields.insert(name, fields);
        }
        Ok(model)
    }

    /// The same model for a server whose connections accept at most `max_page` items.
    pub fn with_max_page(mut self, max_page: u64) -> Self {
        self.max_page = max_page;
        self
    }

    /// Analyses the operation `operation_name` selects in `document` (`None` when it selects
    /// none: execution reports that).
    pub fn analyse(
        &self,
        document: &ExecutableDocument,
        operation_name: Option<&str>,
        variables: &Variables,
    ) -> Option<Analysis> {
        self.analyse_noting_variables(document, operation_name, variables).map(|(analysis, _)| analysis)
    }

    /// [`Self::analyse`], and whether the analysis read any variable: when it did not, it is
    /// the analysis of the operation whatever its variables (see `http::graphql::documents`).
    pub fn analyse_noting_variables(
        &self,
        document: &ExecutableDocument,
        operation_name: Option<&str>,
        variables: &Variables,
    ) -> Option<(Analysis, bool)> {
        let operation = select_operation(document, operation_name)?;
        let root = match operation.ty {
            OperationType::Query => "Query",
            OperationType::Mutation => "Mutation",
            OperationType::Subscription => "Subscription",
        };
        let walker = Walker {
            model: self,
            document,
            variables,
            read_variables: Cell::new(false),
            oversized: RefCell::new(None),
        };
        let measure = walker.selection_set(&operation.selection_set.node, Some(root));
        let (aliases, directives) = count_aliases_and_directives(document);
        let analysis = Analysis {
            operation_type: operation.ty,
            depth: measure.depth,
            aliases,
            directives,
            cost: measure.cost,
            introspection_keys: introspection_keys(document, &operation.selection_set.node),
            oversized: walker.oversized.into_inner(),
        };
        Some((analysis, walker.read_variables.get()))
    }
}

/// What the analysis found.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    pub operation_type: OperationType,
    /// Deepest nesting of fields (a top-level field is depth 1).
    pub depth: u64,
    /// Aliased fields in the whole document.
    pub aliases: u64,
    /// Directive uses in the whole document.
    pub directives: u64,
    /// Requested cost: the most objects the response can hold.
    pub cost: u64,
    /// Response keys of top-level introspection fields (left out of the actual cost).
    pub introspection_keys: Vec<String>,
    /// The first list size over its maximum (`first`, `last` or the number of `ids`), as
    /// a message naming the argument, the field and the maximum: such an operation is
    /// refused as `BAD_USER_INPUT` before its cost is judged (the cost counts the maximum).
    pub oversized: Option<String>,
}

/// The operation `name` picks, as execution would.
fn select_operation<'a>(
    document: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a OperationDefinition> {
    match (&document.operations, name) {
        (DocumentOperations::Single(operation), _) => Some(&operation.node),
        (DocumentOperations::Multiple(operations), Some(name)) => {
            operations.get(name).map(|operation| &operation.node)
        }
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next().map(|operation| &operation.node)
        }
        _ => None,
    }
}

/// Cost and depth of a selection set.
#[derive(Clone, Copy, Debug, Default)]
struct Measure {
    cost: u64,
    depth: u64,
}

impl Measure {
    fn add(&mut self, other: Measure) {
        self.cost = self.cost.saturating_add(other.cost);
        self.depth = self.depth.max(other.depth);
    }
}

struct Walker<'a> {
    model: &'a CostModel,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    /// Whether an argument the analysis read was a variable.
    read_variables: Cell<bool>,
    /// The first list size found over its maximum.
    oversized: RefCell<Option<String>>,
}

/// The fields of one response key, merged as execution merges them (the same field asked
/// twice, directly or through fragments, is resolved once).
struct Group<'d> {
    parent: Option<&'d str>,
    fields: Vec<&'d Field>,
}

impl<'d> Walker<'d> {
    /// Collects the fields of `sets` by (parent type, response key), expanding fragments;
    /// each fragment is expanded once per collection, as the GraphQL specification's
    /// CollectFields does, so fragment "bombs" cost linear time.
    fn collect(&self, sets: &[(&'d SelectionSet, Option<&'d str>)]) -> Vec<Group<'d>> {
        /// A group's key: the parent type and the response key.
        type Key<'d> = (Option<&'d str>, &'d str);
        fn visit<'d>(
            document: &'d ExecutableDocument,
            set: &'d SelectionSet,
            parent: Option<&'d str>,
            visited: &mut Vec<&'d Name>,
            groups: &mut Vec<(Key<'d>, Group<'d>)>,
        ) {
            for selection in &set.items {
                match &selection.node {
                    Selection::Field(field) => {
                        let field = &field.node;
                        let key = field.alias.as_ref().unwrap_or(&field.name).node.as_str();
                        let key = (parent, key);
                        match groups.iter_mut().find(|(existing, _)| *existing == key) {
                            Some((_, group)) => group.fields.push(field),
                            None => groups.push((key, Group { parent, fields: vec![field] })),
                        }
                    }
                    Selection::InlineFragment(fragment) => {
                        let on = fragment
                            .node
                            .type_condition
                            .as_ref()
                            .map(|condition| condition.node.on.node.as_str());
                        visit(document, &fragment.node.selection_set.node, on.or(parent), visited, groups);
                    }
                    Selection::FragmentSpread(spread) => {
                        let name = &spread.node.fragment_name.node;
                        if visited.contains(&name) {
                            continue;
                        }
                        visited.push(name);
                        if let Some(fragment) = document.fragments.get(name) {
                            let on = fragment.node.type_condition.node.on.node.as_str();
                            visit(document, &fragment.node.selection_set.node, Some(on), visited, groups);
                        }
                    }
                }
            }
        }
        let mut groups = Vec::new();
        let mut visited = Vec::new();
        for (set, parent) in sets {
            visit(self.document, set, *parent, &mut visited, &mut groups);
        }
        groups.into_iter().map(|(_, group)| group).collect()
    }

    fn selection_set(&self, set: &'d SelectionSet, parent: Option<&'d str>) -> Measure {
        self.sets(&[(set, parent)])
    }

    fn sets(&self, sets: &[(&'d SelectionSet, Option<&'d str>)]) -> Measure {
        let mut measure = Measure::default();
        for group in self.collect(sets) {
            measure.add(self.group(&group, None));
        }
        measure
    }

    /// Cost and depth of one merged field; `items` overrides the size of a list (the page
    /// size, for a connection's `edges` and `nodes`).
    fn group(&self, group: &Group<'d>, items: Option<u64>) -> Measure {
        let Some(field) = group.fields.first() else {
            return Measure::default();
        };
        let name = field.name.node.as_str();
        let children = |parent: Option<&'d str>| -> Vec<(&'d SelectionSet, Option<&'d str>)> {
            group.fields.iter().map(|field| (&field.selection_set.node, parent)).collect()
        };
        if name == "__typename" {
            return Measure { cost: 0, depth: 1 };
        }
        if name == "__schema" || name == "__type" {
            // Flat cost; the subtree still counts for depth.
            let inner = self.sets(&children(None));
            return Measure { cost: 1, depth: inner.depth + 1 };
        }
        let model: &'d CostModel = self.model;
        let field_type =
            group.parent.and_then(|parent| model.fields.get(parent)).and_then(|fields| fields.get(name));
        let Some(field_type) = field_type else {
            // Unknown here (introspection types, or an invalid field that validation
            // rejects): depth only.
            let inner = self.sets(&children(None));
            return Measure { cost: 0, depth: inner.depth + 1 };
        };
        if !self.model.composite.contains(&field_type.named) {
            return Measure { cost: 0, depth: 1 };
        }
        let inner = if self.model.connections.contains(&field_type.named) {
            let size = self.page_size(field);
            let mut inner = Measure::default();
            for child in self.collect(&children(Some(field_type.named.as_str()))) {
                let is_items = child
                    .fields
                    .first()
                    .is_some_and(|child| matches!(child.name.node.as_str(), "edges" | "nodes"));
                inner.add(self.group(&child, is_items.then_some(size)));
            }
            inner
        } else {
            self.sets(&children(Some(field_type.named.as_str())))
        };
        let weight = self.model.weights.get(&field_type.named).copied().unwrap_or(1);
        let each = inner.cost.saturating_add(weight);
        if !field_type.list {
            return Measure { cost: each, depth: inner.depth + 1 };
        }
        let count = items.unwrap_or_else(|| self.list_size(field, name, field_type));
        // A list of objects computed in memory costs the one statement that computes it.
        let computed = u64::from(weight == 0);
        Measure { cost: each.saturating_mul(count).saturating_add(computed), depth: inner.depth + 1 }
    }

    fn argument(&self, field: &Field, name: &str) -> Option<Value> {
        let (_, value) = field.arguments.iter().find(|(argument, _)| argument.node.as_str() == name)?;
        // A missing variable counts as absent (the engine reports it).
        value
            .node
            .clone()
            .into_const_with(|name| {
                self.read_variables.set(true);
                self.variables.get(&name).cloned().ok_or(())
            })
            .ok()
    }

    /// The size argument `name` of `field` within `0..=maximum`; a value outside is noted
    /// as [`Analysis::oversized`] and counted as `maximum` (or 0 when negative).
    fn size_argument(&self, field: &Field, name: &str, maximum: Option<u64>) -> Option<u64> {
        let Value::Number(number) = self.argument(field, name)? else {
            return None;
        };
        let size = number.as_u64();
        let within = size.is_some_and(|size| maximum.is_none_or(|maximum| size <= maximum));
        if !within {
            let range =
                maximum.map_or_else(|| "at least 0".to_owned(), |maximum| format!("between 0 and {maximum}"));
            self.note_oversized(format!("`{name}` of `{}` must be {range}, got {number}", field.name.node));
        }
        Some(match (size, maximum) {
            (Some(size), Some(maximum)) => size.min(maximum),
            (Some(size), None) => size,
            (None, _) => 0,
        })
    }

    fn note_oversized(&self, message: String) {
        let mut oversized = self.oversized.borrow_mut();
        if oversized.is_none() {
            *oversized = Some(message);
        }
    }

    /// `first` or `last` (the larger, should both be given), else the default page.
    fn page_size(&self, field: &Field) -> u64 {
        let maximum = Some(self.model.max_page);
        match (self.size_argument(field, "first", maximum), self.size_argument(field, "last", maximum)) {
            (None, None) => DEFAULT_PAGE,
            (first, last) => first.unwrap_or(0).max(last.unwrap_or(0)),
        }
    }

    /// The items of a list field: its slicing argument (a number, or the items of a list
    /// argument), within its `@maxItems`, else the size it assumes.
    fn list_size(&self, field: &Field, name: &str, field_type: &FieldType) -> u64 {
        let maximum = field_type.maximum;
        for argument in &field_type.slicing {
            match self.argument(field, argument) {
                Some(Value::List(items)) => {
                    let count = items.len() as u64;
                    if let Some(maximum) = maximum.filter(|maximum| count > *maximum) {
                        self.note_oversized(format!(
                            "`{name}` takes at most {maximum} {argument} per call, got {count}"
                        ));
                        return maximum;
                    }
                    return count;
                }
                Some(_) => {
                    if let Some(size) = self.size_argument(field, argument, maximum) {
                        return size;
                    }
                }
                None => {}
            }
        }
        field_type.assumed_size.unwrap_or(UNSTATED_LIST_SIZE)
    }
}

/// Aliased fields and directive uses anywhere in the document (operations and fragments).
fn count_aliases_and_directives(document: &ExecutableDocument) -> (u64, u64) {
    fn walk(set: &SelectionSet, counts: &mut (u64, u64)) {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    counts.0 += u64::from(field.node.alias.is_some());
                    counts.1 += field.node.directives.len() as u64;
                    walk(&field.node.selection_set.node, counts);
                }
                Selection::InlineFragment(fragment) => {
                    counts.1 += fragment.node.directives.len() as u64;
                    walk(&fragment.node.selection_set.node, counts);
                }
                Selection::FragmentSpread(spread) => counts.1 += spread.node.directives.len() as u64,
            }
        }
    }
    let mut counts = (0, 0);
    for (_, operation) in document.operations.iter() {
        counts.1 += operation.node.directives.len() as u64;
        for variable in &operation.node.variable_definitions {
            counts.1 += variable.node.directives.len() as u64;
        }
        walk(&operation.node.selection_set.node, &mut counts);
    }
    for fragment in document.fragments.values() {
        counts.1 += fragment.node.directives.len() as u64;
        walk(&fragment.node.selection_set.node, &mut counts);
    }
    counts
}

/// Response keys of the top-level `__schema`/`__type` fields, through top-level fragments.
fn introspection_keys(document: &ExecutableDocument, set: &SelectionSet) -> Vec<String> {
    fn walk(document: &ExecutableDocument, set: &SelectionSet, keys: &mut Vec<String>, seen: &mut Vec<Name>) {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    if name == "__schema" || name == "__type" {
                        let key = field.node.alias.as_ref().map_or(name, |alias| alias.node.as_str());
                        keys.push(key.to_owned());
                    }
                }
                Selection::InlineFragment(fragment) => {
                    walk(document, &fragment.node.selection_set.node, keys, seen)
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    if seen.contains(name) {
                        continue;
                    }
                    seen.push(name.clone());
                    if let Some(fragment) = document.fragments.get(name) {
                        walk(document, &fragment.node.selection_set.node, keys, seen);
                    }
                }
            }
        }
    }
    let mut keys = Vec::new();
    walk(document, set, &mut keys, &mut Vec::new());
    keys
}

/// The actual cost of a response: the objects its `data` holds (the root object excluded),
/// each top-level introspection field counting 1.
pub fn actual_cost(data: &Value, introspection_keys: &[String]) -> u64 {
    fn objects(value: &Value) -> u64 {
        match value {
            Value::Object(fields) => 1 + fields.values().map(objects).sum::<u64>(),
            Value::List(items) => items.iter().map(objects).sum(),
            _ => 0,
        }
    }
    match data {
        Value::Object(fields) => fields
            .iter()
            .map(|(key, value)| {
                if introspection_keys.iter().any(|introspection| introspection == key.as_str()) {
                    u64::from(!matches!(value, Value::Null))
                } else {
                    objects(value)
                }
            })
            .sum(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_analysis_says_whether_it_read_variables() {
        let model = CostModel::from_sdl(&crate::graphql::sdl()).expect("sdl parses");
        let reads = |query: &str| {
            let document = async_graphql::parser::parse_query(query).expect("parses");
            let variables = Variables::from_json(serde_json::json!({ "n": 7, "slug": "x" }));
            model.analyse_noting_variables(&document, None, &variables).expect("one operation").1
        };
        assert!(!reads("query($slug: String!) { case(slug: $slug) { slug organisations { role } } }"));
        assert!(!reads("{ cases(first: 20) { nodes { slug } } }"));
        assert!(reads("query($n: Int) { cases(first: $n) { nodes { slug } } }"));
    }

    #[test]
    fn sizes_and_weights_are_read_from_the_schema_annotations() {
        let sdl = r#"
            type Query {
                rows(first: Int): [Row!]! @listSize(assumedSize: 7, slicingArguments: ["first"]) @maxItems(value: 9)
                items: [Item!]! @listSize(assumedSize: 4)
                plain: [Item!]!
                byIds(ids: [ID!]!): [Item]! @listSize(slicingArguments: ["ids"]) @maxItems(value: 2)
            }
            type Row @cost(weight: "0") { item: Item }
            type Item { name: String }
        "#;
        let model = CostModel::from_sdl(sdl).expect("sdl parses");
        let cost = |query: &str| {
            let document = async_graphql::parser::parse_query(query).expect("query parses");
            let analysis = model.analyse(&document, None, &Variables::default()).expect("one operation");
            (analysis.cost, analysis.oversized)
        };
        // A list of free rows costs 1; each row's item still costs 1 per row.
        assert_eq!(cost("{ rows { __typename } }"), (1, None));
        assert_eq!(cost("{ rows { item { name } } }"), (7 + 1, None));
        assert_eq!(cost("{ rows(first: 3) { item { name } } }"), (3 + 1, None));
        assert_eq!(cost("{ items { name } }"), (4, None));
        assert_eq!(cost("{ plain { name } }"), (UNSTATED_LIST_SIZE, None));
        assert_eq!(cost(r#"{ byIds(ids: ["a"]) { name } }"#), (1, None));
        assert!(
            cost("{ rows(first: 10) { item { name } } }")
                .1
                .is_some_and(|why| why.contains("between 0 and 9"))
        );
        assert!(
            cost(r#"{ byIds(ids: ["a", "b", "c"]) { name } }"#)
                .1
                .is_some_and(|why| why.contains("at most 2 ids"))
        );
    }

    /// Every list of objects in the schema states its size beside the field: a connection
    /// (sized by `first`/`last`), or `@listSize`; a list taking `first` or `ids` also states
    /// its slicing argument and its `@maxItems`.
    #[test]
    fn every_list_of_objects_in_the_schema_states_its_size() {
        let document = async_graphql::parser::parse_schema(crate::graphql::sdl()).expect("sdl parses");
        let model = CostModel::from_sdl(&crate::graphql::sdl()).expect("sdl parses");
        let mut unstated = Vec::new();
        for definition in document.definitions {
            let TypeSystemDefinition::Type(definition) = definition else { continue };
            let TypeKind::Object(object) = &definition.node.kind else { continue };
            for field in &object.fields {
                let field = &field.node;
                let field_type = FieldType::of(field);
                if !field_type.list || !model.composite.contains(&field_type.named) {
                    continue;
                }
                let takes_size = field
                    .arguments
                    .iter()
                    .any(|argument| matches!(argument.node.name.node.as_str(), "first" | "ids"));
                let stated = if takes_size {
                    !field_type.slicing.is_empty() && field_type.maximum.is_some()
                } else {
                    field_type.assumed_size.is_some()
                };
                if !stated && !model.connections.contains(definition.node.name.node.as_str()) {
                    unstated.push(format!("{}.{}", definition.node.name.node, field.name.node));
                }
            }
        }
        assert!(unstated.is_empty(), "lists of objects without their size beside them: {unstated:?}");
    }

    fn analyse(query: &str, variables: serde_json::Value) -> Analysis {
        let model = CostModel::from_sdl(&crate::graphql::sdl()).expect("sdl parses");
        let document = async_graphql::parser::parse_query(query).expect("query parses");
        model.analyse(&document, None, &Variables::from_json(variables)).expect("one operation")
    }

    #[test]
    fn connections_multiply_their_items_by_first() {
        let analysis = analyse(
            "{ cases(first: 10) { totalCount nodes { title category { name } } pageInfo { hasNextPage } } }",
            serde_json::json!({}),
        );
        // cases 1 + pageInfo 1 + 10 × (case 1 + category 1)
        assert_eq!(analysis.cost, 22);
        assert_eq!(analysis.depth, 4);
    }

    #[test]
    fn search_results_count_five_highlights_each() {
        let analysis = analyse(
            r#"{ cases(first: 20, filter: {search: "cold chain"}) { edges { highlights { field } node { slug } } } }"#,
            serde_json::json!({}),
        );
        // cases 1 + 20 × (edge 1 + 5 highlights + node 1)
        assert_eq!(analysis.cost, 141);
    }

    #[test]
    fn the_readme_example_costs_161() {
        let analysis = analyse(
            "{ cases(first: 20) { nodes { category { name } organisations { organisation { name } } } } }",
            serde_json::json!({}),
        );
        assert_eq!(analysis.cost, 161);
    }

    #[test]
    fn variables_lists_and_fragments_count() {
        let analysis = analyse(
            "query($n: Int) { cases(first: $n) { ...Page } }
             fragment Page on CaseConnection { edges { node { organisations { organisation { name } } } } }",
            serde_json::json!({ "n": 4 }),
        );
        // cases 1 + 4 × (edge 1 + node 1 + 3 × (caseOrganisation 1 + organisation 1))
        assert_eq!(analysis.cost, 1 + 4 * (1 + 1 + 3 * 2));
    }

    #[test]
    fn fragment_bombs_are_measured_once_per_fragment() {
        let mut query = String::from("{ ...F0 }\n");
        for level in 0..40 {
            query.push_str(&format!(
                "fragment F{level} on Query {{ ...F{next} ...F{next} }}\n",
                next = level + 1
            ));
        }
        query.push_str("fragment F40 on Query { collections { title } }\n");
        let analysis = analyse(&query, serde_json::json!({}));
        assert_eq!(analysis.cost, 2);
    }

    #[test]
    fn aliases_directives_and_introspection() {
        let analysis = analyse(
            "{ a: __typename b: collections @include(if: true) { title } s: __schema { types { name } } }",
            serde_json::json!({}),
        );
        assert_eq!((analysis.aliases, analysis.directives), (3, 1));
        assert_eq!(analysis.introspection_keys, ["s"]);
        assert_eq!(analysis.cost, 2 + 1);
    }

    #[test]
    fn statistics_rows_and_countries_cost_their_list_once() {
        let dashboard = analyse(
            "{ statistics { caseCount
                byCategory { category { id slug name collection { slug year } } count share }
                byOrganisationType { type label count share }
                byCountry(first: 15) { country { code name } count share }
                byCollection { collection { slug year title } count share }
                byMonth(field: PUBLISHED_AT) { month count }
                followUpActions { total byKind { kind label count } byStatus { status count } } } }",
            serde_json::json!({}),
        );
        // statistics 1 + byCategory (9 × (category 1 + collection 1) + 1) + 1 + 1
        // + byCollection (2 × collection 1 + 1) + 1 + followUpActions (1 + 1 + 1)
        assert_eq!(dashboard.cost, 1 + 19 + 1 + 1 + 3 + 1 + 3);
        let countries = analyse(
            "{ statistics { byCountry(first: 250) { country { code name } } } }",
            serde_json::json!({}),
        );
        assert_eq!(countries.cost, 2);
        // A connection inside a row still multiplies by the rows.
        let nested = analyse(
            "{ statistics { byCategory { category { cases(first: 10) { nodes { slug } } } } } }",
            serde_json::json!({}),
        );
        assert_eq!(nested.cost, 1 + 9 * (1 + 1 + 10) + 1);
    }

    #[test]
    fn a_page_over_its_maximum_is_noted_and_costed_at_the_maximum() {
        let analysis = analyse("{ cases(first: 100000) { nodes { slug } } }", serde_json::json!({}));
        assert_eq!(
            analysis.oversized.as_deref(),
            Some("`first` of `cases` must be between 0 and 100, got 100000")
        );
        assert_eq!(analysis.cost, 101);
        let variable = analyse(
            "query($n: Int) { organisations(last: $n) { nodes { slug } } }",
            serde_json::json!({ "n": -3 }),
        );
        assert!(variable.oversized.is_some_and(|message| message.contains("got -3")));
        let related =
            analyse("{ case(slug: \"x\") { relatedCases(first: 21) { slug } } }", serde_json::json!({}));
        assert!(related.oversized.is_some_and(|message| message.contains("between 0 and 20")));
        let fine = analyse("{ cases(first: 100) { nodes { slug } } }", serde_json::json!({}));
        assert_eq!((fine.oversized, fine.cost), (None, 101));
    }

    #[test]
    fn actual_cost_counts_objects_returned() {
        let data = Value::from_json(serde_json::json!({
            "cases": { "totalCount": 2, "nodes": [{ "category": { "name": "x" } }, { "category": null }] },
            "__schema": { "types": [{ "name": "A" }, { "name": "B" }] }
        }))
        .expect("valid json");
        assert_eq!(actual_cost(&data, &["__schema".to_owned()]), 1 + 2 + 1 + 1);
    }
}
