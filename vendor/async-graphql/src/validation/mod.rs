#[cfg(test)]
#[macro_use]
mod test_harness;

mod rules;
mod suggestion;
mod utils;
mod visitor;
mod visitors;

pub use visitor::VisitorContext;
use visitor::{VisitorNil, visit};

use std::{collections::HashMap, sync::Mutex};

use crate::{
    CacheControl, ServerError, Variables, parser::types::ExecutableDocument, registry::Registry,
};

/// Total length of the document texts [`ValidatedDocuments`] keeps before it starts again.
const VALIDATED_TEXT_BYTES: usize = 1 << 20;

/// Operations that passed every rule of [`ValidationMode::Strict`], by document text and
/// operation name, with the cache control they computed (casegraph patch, see PATCHED.md).
///
/// Of the strict rules only `ArgumentsOfCorrectType` reads the variables' values; the others
/// depend on the document and the schema alone. An operation seen valid before runs that
/// one rule again, and the complexity and depth passes when limits are set.
#[derive(Debug, Default)]
pub(crate) struct ValidatedDocuments {
    entries: Mutex<(HashMap<Box<str>, Vec<(Option<Box<str>>, CacheControl)>>, usize)>,
}

impl ValidatedDocuments {
    fn get(&self, query: &str, operation_name: Option<&str>) -> Option<CacheControl> {
        let entries = self.entries.lock().ok()?;
        entries.0.get(query).and_then(|operations| {
            operations
                .iter()
                .find(|(name, _)| name.as_deref() == operation_name)
                .map(|(_, cache_control)| *cache_control)
        })
    }

    fn insert(&self, query: &str, operation_name: Option<&str>, cache_control: CacheControl) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        let (map, bytes) = &mut *entries;
        if *bytes + query.len() > VALIDATED_TEXT_BYTES {
            map.clear();
            *bytes = 0;
        }
        let operations = map.entry(query.into()).or_insert_with(|| {
            *bytes += query.len();
            Vec::new()
        });
        if !operations.iter().any(|(name, _)| name.as_deref() == operation_name) {
            operations.push((operation_name.map(Into::into), cache_control));
        }
    }
}

/// Validation results.
#[derive(Debug, Copy, Clone)]
pub struct ValidationResult {
    /// Cache control
    pub cache_control: CacheControl,

    /// Query complexity
    pub complexity: usize,

    /// Query depth
    pub depth: usize,
}

/// Validation mode
#[derive(Copy, Clone, Debug)]
pub enum ValidationMode {
    /// Execute all validation rules.
    Strict,

    /// The executor itself also has error handling, so it can improve
    /// performance, but it can lose some error messages.
    Fast,
}

pub(crate) fn check_rules(
    registry: &Registry,
    doc: &ExecutableDocument,
    variables: Option<&Variables>,
    operation_name: Option<&str>,
    mode: ValidationMode,
    limit_complexity: Option<usize>,
    limit_depth: Option<usize>,
    validated: Option<(&ValidatedDocuments, &str)>,
) -> Result<ValidationResult, Vec<ServerError>> {
    let mut cache_control = CacheControl::default();
    let mut complexity = 0;
    let mut depth = 0;

    let mut ctx = VisitorContext::new(registry, doc, variables, operation_name);
    let known = match (mode, validated) {
        (ValidationMode::Strict, Some((validated, query))) => validated.get(query, operation_name),
        _ => None,
    };
    let errors = match mode {
        ValidationMode::Strict if known.is_some() => {
            // Casegraph patch (see PATCHED.md, fourth change): a document that declares no
            // variable has only the literal arguments it was validated with.
            let declares_variables = doc
                .operations
                .iter()
                .any(|(_, operation)| !operation.node.variable_definitions.is_empty());
            if declares_variables {
                let mut visitor = VisitorNil.with(rules::ArgumentsOfCorrectType::default());
                visit(&mut visitor, &mut ctx, doc);
            }
            cache_control = known.unwrap_or_default();
            if limit_complexity.is_some() || limit_depth.is_some() {
                let mut visitor = VisitorNil
                    .with(visitors::ComplexityCalculate::new(&mut complexity))
                    .with(visitors::DepthCalculate::new(&mut depth));
                visit(&mut visitor, &mut ctx, doc);
            }
            ctx.errors
        }
        ValidationMode::Strict => {
            let mut visitor = VisitorNil
                .with(rules::ArgumentsOfCorrectType::default())
                .with(rules::DefaultValuesOfCorrectType)
                .with(rules::FieldsOnCorrectType)
                .with(rules::FragmentsOnCompositeTypes)
                .with(rules::KnownArgumentNames::default())
                .with(rules::NoFragmentCycles::default())
                .with(rules::KnownFragmentNames)
                .with(rules::KnownTypeNames)
                .with(rules::NoUndefinedVariables::default())
                .with(rules::NoUnusedFragments::default())
                .with(rules::NoUnusedVariables::default())
                .with(rules::UniqueArgumentNames::default())
                .with(rules::UniqueVariableNames::default())
                .with(rules::VariablesAreInputTypes)
                .with(rules::VariableInAllowedPosition::default())
                .with(rules::ScalarLeafs)
                .with(rules::PossibleFragmentSpreads::default())
                .with(rules::ProvidedNonNullArguments)
                .with(rules::KnownDirectives::default())
                .with(rules::DirectivesUnique)
                .with(rules::OverlappingFieldsCanBeMerged)
                .with(rules::UploadFile);
            visit(&mut visitor, &mut ctx, doc);

            let mut visitor = VisitorNil
                .with(visitors::CacheControlCalculate {
                    cache_control: &mut cache_control,
                })
                .with(visitors::ComplexityCalculate::new(&mut complexity))
                .with(visitors::DepthCalculate::new(&mut depth));
            visit(&mut visitor, &mut ctx, doc);
            ctx.errors
        }
        ValidationMode::Fast => {
            let mut visitor = VisitorNil
                .with(rules::NoFragmentCycles::default())
                .with(rules::UploadFile)
                .with(visitors::CacheControlCalculate {
                    cache_control: &mut cache_control,
                })
                .with(visitors::ComplexityCalculate::new(&mut complexity))
                .with(visitors::DepthCalculate::new(&mut depth));
            visit(&mut visitor, &mut ctx, doc);
            ctx.errors
        }
    };

    // check limit
    if let Some(limit_complexity) = limit_complexity
        && complexity > limit_complexity
    {
        return Err(vec![ServerError::new("Query is too complex.", None)]);
    }

    if let Some(limit_depth) = limit_depth
        && depth > limit_depth
    {
        return Err(vec![ServerError::new("Query is nested too deep.", None)]);
    }

    if !errors.is_empty() {
        return Err(errors.into_iter().map(Into::into).collect());
    }

    if let (ValidationMode::Strict, Some((validated, query)), None) = (mode, validated, known) {
        validated.insert(query, operation_name, cache_control);
    }

    Ok(ValidationResult {
        cache_control,
        complexity,
        depth,
    })
}
